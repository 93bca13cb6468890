/** The exercise-coverage plugin's notes (exercise-budget, exercise-incomplete, import-failed): one definition, listed, exceptable. */
import { describe, expect, test } from "bun:test";
import { ruleDescriptors } from "../../src/cli/rules-command.ts";
import { exerciseCut, importFailed } from "../../src/plugins/builtin/exercise-coverage.ts";
import { exceptionFilter } from "../../src/plugins/exceptions.ts";
import { parseRulePack } from "../../src/rules/loader.ts";

describe("exercise coverage rules", () => {
  test("pipcanary rules lists the three notes, from plugin builtin:exercise-coverage", () => {
    const listed = ruleDescriptors([]).filter((rule) => rule.plugin === "builtin:exercise-coverage");
    expect(listed.map(({ id, severity }) => ({ id, severity }))).toEqual([
      { id: "exercise-budget", severity: "warn" },
      { id: "exercise-incomplete", severity: "warn" },
      { id: "import-failed", severity: "info" },
    ]);
  });

  test("import-failed names the first ten modules and counts the rest", () => {
    const modules = Array.from({ length: 12 }, (_, index) => `pkg.m${index}`);
    const finding = importFailed({ package: "pkg", phase: "import", modules });
    expect(finding.explanation).toEndWith("so code that runs only after it was not seen: pkg.m0, pkg.m1, pkg.m2, pkg.m3, pkg.m4, pkg.m5, pkg.m6, pkg.m7, pkg.m8, pkg.m9 and 2 more.");
    expect(finding.subject).toEqual({ kind: "process", argv: [], detail: "12 module(s) failed to import" });
  });

  test("a pack excepts a note by rule id for the packages it names, and only those", () => {
    const pack = parseRulePack("org.yaml", ["pack: org", "api: ^1.0.0", "rules: []", "exceptions:", "  - rule: exercise-budget", "    packages: [slow-*]", "    reason: known slow imports", ""].join("\n"));
    const excepted = exceptionFilter([pack]);
    expect(excepted(exerciseCut({ how: "budget", package: "slow-import", phase: "import", argv: [] }))).toBe(true);
    expect(excepted(exerciseCut({ how: "budget", package: "other", phase: "import", argv: [] }))).toBe(false);
    expect(excepted(exerciseCut({ how: "ended", package: "slow-import", phase: "import", argv: [] }))).toBe(false);
  });
});
