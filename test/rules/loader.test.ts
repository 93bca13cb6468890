import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PipcanaryError } from "../../src/core/errors.ts";
import { ExitCode } from "../../src/core/exit-codes.ts";
import { allRules, loadRulePacks, parseRulePack } from "../../src/rules/loader.ts";
import { RuleValidationError } from "../../src/rules/validate.ts";

const dir = mkdtempSync(join(tmpdir(), "pipcanary-rules-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function pack(rules: string, api = "^1.0.0"): string {
  return `pack: test\napi: "${api}"\nrules:\n${rules}`;
}

const GOOD = `  - id: good
    description: d.
    explanation: e.
    severity: block
    match:
      events: [open]
      paths: ["~/.secret/**"]
`;

function failure(text: string): RuleValidationError {
  try {
    parseRulePack("my-pack.yaml", text);
  } catch (error) {
    if (error instanceof RuleValidationError) return error;
    throw error;
  }
  throw new Error("expected a validation error");
}

describe("rule pack validation", () => {
  test("a valid pack parses, with defaults", () => {
    const parsed = parseRulePack("my-pack.yaml", pack(GOOD));
    expect(parsed.rules[0]).toMatchObject({ id: "good", type: "dynamic", match: { packageOnly: true, events: ["open"] } });
  });

  const cases: Array<[string, string, string | undefined, string, RegExp]> = [
    ["unknown key in a rule", pack(GOOD.replace("severity: block", "severity: block\n    sevrity: warn")), "good", "sevrity", /unknown field/],
    ["unknown key in match", pack(GOOD.replace("events: [open]", "events: [open]\n      path: x")), "good", "match.path", /unknown field/],
    ["bad severity", pack(GOOD.replace("severity: block", "severity: fatal")), "good", "severity", /block, warn, info/],
    ["bad event kind", pack(GOOD.replace("events: [open]", "events: [opne]")), "good", "match.events", /'opne'/],
    ["missing events", pack(GOOD.replace("      events: [open]\n", "")), "good", "match.events", /required/],
    ["relative path glob", pack(GOOD.replace('"~/.secret/**"', '"secret/**"')), "good", "match.paths", /must start with/],
    ["partial ** segment", pack(GOOD.replace('"~/.secret/**"', '"~/.secret/a**"')), "good", "match.paths", /whole segment/],
    ["not_paths without paths", pack(GOOD.replace('      paths: ["~/.secret/**"]\n', '      not_paths: ["~/.cache/**"]\n')), "good", "match.not_paths", /only narrows match.paths/],
    ["relative not_paths glob", pack(GOOD.replace('      paths: ["~/.secret/**"]\n', '      paths: ["~/**"]\n      not_paths: [".cache/**"]\n')), "good", "match.not_paths", /must start with/],
    ["unknown path root", pack(GOOD.replace('"~/.secret/**"', '"$HOME/.secret/**"')), "good", "match.paths", /\$WORK/],
    ["bad address", pack(GOOD.replace("events: [open]", "events: [connect]\n      addresses: [300.1.1.1/8]").replace('      paths: ["~/.secret/**"]\n', "")), "good", "match.addresses", /not an IP/],
    ["bad prefix length", pack(GOOD.replace("events: [open]", "events: [connect]\n      addresses: [10.0.0.0/33]").replace('      paths: ["~/.secret/**"]\n', "")), "good", "match.addresses", /prefix length/],
    ["bad port", pack(GOOD.replace("events: [open]", "events: [connect]\n      ports: [70000]").replace('      paths: ["~/.secret/**"]\n', "")), "good", "match.ports", /port/],
    ["programs without exec", pack(GOOD.replace("events: [open]", "events: [open]\n      programs: [curl]")), "good", "match.programs", /exec/],
    ["bad flag", pack(GOOD.replace("events: [open]", "events: [open]\n      flags: [WRONLY]")), "good", "match.flags", /open flag/],
    ["bad package_only", pack(GOOD.replace("events: [open]", "events: [open]\n      package_only: yes-please")), "good", "match.package_only", /true or false/],
    ["exception without conditions", pack(`${GOOD}    except:\n      - reason: because\n`), "good", "except[0]", /at least one condition/],
    ["exception without reason", pack(`${GOOD}    except:\n      - phases: [fetch]\n`), "good", "except[0].reason", /non-empty/],
    ["exception with a bad phase", pack(`${GOOD}    except:\n      - phases: [build]\n        reason: r\n`), "good", "except[0].phases", /'build'/],
    ["duplicate id", pack(GOOD + GOOD), "good", "id", /used twice/],
    ["bad id", pack(GOOD.replace("id: good", "id: Bad Id")), "Bad Id", "id", /lower-case/],
    ["bad api range", pack(GOOD, "one point oh"), undefined, "api", /not a semver range/],
    ["incompatible api", pack(GOOD, "^2.0.0"), undefined, "api", /implements rule API 1\.0\.0/],
  ];

  for (const [name, text, ruleId, field, problem] of cases) {
    test(`${name}: names file, rule id and field`, () => {
      const error = failure(text);
      expect(error.file).toBe("my-pack.yaml");
      expect(error.ruleId).toBe(ruleId);
      expect(error.field).toBe(field);
      expect(error.message).toMatch(problem);
      expect(error.message).toMatch(new RegExp(`^my-pack\\.yaml:\\d+: rule ${(ruleId ?? "(no id)").replace(/[()]/g, "\\$&")}: field '${field.replace(/[[\]]/g, "\\$&")}'`));
      expect(error).toBeInstanceOf(PipcanaryError);
      expect(error.exitCode).toBe(ExitCode.InvalidInput);
    });
  }

  test("every problem of every rule is reported at once, each at the line of its field", () => {
    const broken = GOOD.replace("severity: block", "severity: fatal").replace("    description: d.\n", "").replace("events: [open]", "events: [opne]");
    const text = pack(`${broken}    except:\n      - reason: none\n${GOOD.replace("id: good", "id: fine")}${GOOD.replace("id: good", "id: other").replace('"~/.secret/**"', '"secret/**"')}`);
    const error = failure(text);
    expect(error.problems.map((p) => `${p.line} ${p.ruleId} ${p.field}`)).toEqual([
      "6 good severity", "4 good description", "11 good except[0]", "8 good match.events", "25 other match.paths",
    ]);
    expect(error.message.split("\n")).toContain("my-pack.yaml:6: rule good: field 'severity': must be one of block, warn, info");
    expect(error.message.split("\n")).toContain("my-pack.yaml:25: rule other: field 'match.paths': 'secret/**' must start with '/', '~/' or one of '$WORK/', '$PYTHON/'");
  });

  test("a missing field is reported at the line of its rule", () => {
    expect(failure(pack(GOOD.replace("    severity: block\n", ""))).message).toStartWith("my-pack.yaml:4: rule good: field 'severity'");
  });

  test("YAML syntax errors name the file and line", () => {
    const error = failure("pack: x\napi: ^1.0.0\nrules: [\n");
    expect(error.message).toMatch(/^my-pack\.yaml:\d+: rule \(no id\): field '\(yaml\)'/);
  });
});

describe("loadRulePacks", () => {
  test("loads files and directories of *.yaml, sorted, and ignores other files", () => {
    const packs = join(dir, "packs");
    mkdirSync(packs);
    writeFileSync(join(packs, "b.yaml"), pack(GOOD.replace("id: good", "id: second")));
    writeFileSync(join(packs, "a.yml"), pack(GOOD));
    writeFileSync(join(packs, "notes.txt"), "not a pack");
    writeFileSync(join(packs, "a.cases.yaml"), "cases: []\n");
    const single = join(dir, "single.yaml");
    writeFileSync(single, pack(GOOD.replace("id: good", "id: third")));
    const loaded = loadRulePacks([packs, single]);
    expect(loaded.map((loadedPack) => loadedPack.source)).toEqual([join(packs, "a.yml"), join(packs, "b.yaml"), single]);
    expect(allRules(loaded).map((r) => r.id)).toEqual(["good", "second", "third"]);
  });

  test("a missing path is an input error with a hint", () => {
    let caught: unknown;
    try {
      loadRulePacks([join(dir, "missing.yaml")]);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(PipcanaryError);
    expect((caught as PipcanaryError).exitCode).toBe(ExitCode.InvalidInput);
    expect((caught as PipcanaryError).message).toContain("missing.yaml");
  });

  test("an invalid file names the file on disk", () => {
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, pack(GOOD.replace("severity: block", "severity: maybe")));
    expect(() => loadRulePacks([bad])).toThrow(`${bad}:7: rule good: field 'severity'`);
  });

  test("the same rule id in two packs is refused, naming both files", () => {
    const one = parseRulePack("one.yaml", pack(GOOD));
    const two = parseRulePack("two.yaml", pack(GOOD));
    expect(() => allRules([one, two])).toThrow("two.yaml: rule good: field 'id': is already defined in one.yaml");
  });
});
