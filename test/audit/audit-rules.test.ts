/** The audit's rules: listed by `pipcanary rules`, and not something a pack's `exceptions:` can switch off. */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InputError } from "../../src/core/errors.ts";
import { ruleDescriptors } from "../../src/cli/rules-command.ts";

const dir = mkdtempSync(join(tmpdir(), "pipcanary-audit-rules-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function packExcepting(rule: string): string {
  const file = join(dir, `${rule}.yaml`);
  writeFileSync(file, ["pack: org", "api: ^1.0.0", "rules: []", "exceptions:", `  - rule: ${rule}`, "    packages: [evilpack]", "    reason: test", ""].join("\n"));
  return file;
}

describe("audit rules", () => {
  test("pipcanary rules lists known-malware, cool-down and audit-unchecked as the audit's", () => {
    const audit = ruleDescriptors([]).filter((rule) => rule.type === "audit");
    expect(audit.map((rule) => [rule.id, rule.severity, rule.from])).toEqual([
      ["known-malware", "block", "audit"],
      ["cool-down", "block", "audit"],
      ["audit-unchecked", "warn", "audit"],
    ]);
  });

  test("a pack cannot except known malware (positive: a listed plugin rule can be excepted)", () => {
    expect(() => ruleDescriptors([packExcepting("known-malware")])).toThrow(InputError);
    expect(() => ruleDescriptors([packExcepting("egress")])).not.toThrow();
  });
});
