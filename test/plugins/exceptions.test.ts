import { describe, expect, test } from "bun:test";
import { InputError } from "../../src/core/errors.ts";
import type { Finding } from "../../src/core/finding.ts";
import { checkExceptionRuleIds, exceptionFilter } from "../../src/plugins/exceptions.ts";
import { parseRulePack } from "../../src/rules/loader.ts";
import { RuleValidationError } from "../../src/rules/validate.ts";

const PACK = ["pack: my-company", "api: ^1.0.0", "rules: []", "exceptions:"];

function pack(...lines: string[]) {
  return parseRulePack("my.yaml", [...PACK, ...lines, ""].join("\n"));
}

function finding(ruleId: string, packageName: string | undefined, phase: Finding["phase"] = "fetch"): Finding {
  return { source: "egress", ruleId, severity: "block", description: "d", explanation: "e", package: packageName, phase, subject: { kind: "connection", address: "10.0.0.1", port: 443 }, argv: [] };
}

describe("rule packs' exceptions to rules by id (plugin rules included)", () => {
  const excepted = exceptionFilter([
    pack("  - rule: egress", "    packages: [internal-*]", "    phases: [fetch]", "    reason: our build fetches its data", "  - rule: egress-refused", "    unattributed: true", "    reason: pip's redirects"),
  ]);

  test("positive: the named rule, package glob and phase match", () => {
    expect(excepted(finding("egress", "internal-tool"))).toBe(true);
    expect(excepted(finding("egress-refused", undefined))).toBe(true);
  });

  test("negative: another rule, package or phase, or package code for an unattributed-only exception", () => {
    expect(excepted(finding("egress", "requests"))).toBe(false);
    expect(excepted(finding("egress", "internal-tool", "import"))).toBe(false);
    expect(excepted(finding("lingering-process", "internal-tool"))).toBe(false);
    expect(excepted(finding("egress-refused", "internal-tool"))).toBe(false);
  });

  test("an exception needs a condition and a reason, and its rule id must exist", () => {
    expect(() => pack("  - rule: egress", "    reason: all of it")).toThrow(RuleValidationError);
    expect(() => pack("  - rule: egress", "    packages: [x]")).toThrow(RuleValidationError);
    expect(() => pack("  - rule: egress", "    paths: [/x]", "    reason: r")).toThrow(RuleValidationError);
    const typo = pack("  - rule: egres", "    packages: [x]", "    reason: r");
    expect(() => checkExceptionRuleIds([typo], new Set(["egress"]))).toThrow(InputError);
    expect(() => checkExceptionRuleIds([typo], new Set(["egres"]))).not.toThrow();
  });
});
