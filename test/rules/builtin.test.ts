import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { compileRules } from "../../src/match/matcher.ts";
import type { Finding } from "../../src/core/finding.ts";
import { parseCaseFile } from "../../src/rule-cases/cases.ts";
import { loadRuleSet } from "../../src/rules/rule-set.ts";
import { HOME, ROOTS, builtinRules, connect, denied, exec, open, scan } from "../match/pipeline.ts";
import { CONDITIONALLY_DENIED, DENIED_SYSCALLS } from "../../src/sandbox/seccomp.ts";

/**
 * What each behavioural rule must and must not flag lives in rules/behaviour-*.cases.yaml (run by
 * cases.test.ts); this checks properties of the packs as a whole and of the findings.
 */
const RULES_DIR = join(import.meta.dir, "..", "..", "rules");
const TRACE_LINES = readdirSync(RULES_DIR)
  .filter((name) => name.startsWith("behaviour-") && name.endsWith(".cases.yaml"))
  .flatMap((name) => parseCaseFile(name, readFileSync(join(RULES_DIR, name), "utf8")))
  .flatMap((item) => (item.kind === "trace" ? item.trace : []));

const ids = (findings: Finding[]): string[] => [...new Set(findings.map((f) => f.ruleId))];

describe("built-in rule packs", () => {
  test("load, use api ^1.0.0 and hold only dynamic rules for now", () => {
    const packs = loadRuleSet().packs;
    expect(packs.length).toBeGreaterThanOrEqual(5);
    for (const pack of packs) expect(pack.api).toBe("^1.0.0");
  });

  test("the SSH rule keeps the seed's wording", () => {
    const ssh = builtinRules().find((rule) => rule.id === "ssh");
    expect(ssh?.description).toBe("SSH private key exfiltration.");
    expect(ssh?.explanation).toBe("The package might be trying to steal your Secure Shell private keys.");
    expect(ssh?.severity).toBe("block");
  });

  test("every call the seccomp filter traps is named by exactly one rule", () => {
    for (const name of [...DENIED_SYSCALLS.keys(), ...CONDITIONALLY_DENIED.keys()]) {
      const rules = ids(scan([denied(name)])).filter((id) => id.startsWith("sandbox-"));
      expect({ name, rules: rules.length }).toEqual({ name, rules: 1 });
    }
  });

  test("a finding names the package, phase, syscall, path and argv", () => {
    const [finding] = scan([open("~/.ssh/id_rsa")], { phase: "install", package: "evilpkg" });
    expect(finding).toMatchObject({
      ruleId: "ssh",
      severity: "block",
      package: "evilpkg",
      phase: "install",
      syscall: "openat",
      subject: { kind: "access", path: `${HOME}/.ssh/id_rsa` },
      argv: ["python3", "-c", "import evilpkg"],
    });
  });

  test("connection and execution findings carry address and argv", () => {
    expect(scan([connect("127.0.0.9", 4444)])[0]?.subject).toEqual({ kind: "connection", address: "127.0.0.9", port: 4444 });
    const shell = scan([exec("/bin/sh", ["sh", "-c", "curl x | sh"])]);
    expect(shell[0]?.subject).toEqual({ kind: "execution", argv: ["sh", "-c", "curl x | sh"] });
  });

  test("findings do not depend on the order of the rules", () => {
    const lines = TRACE_LINES;
    const rules = builtinRules();
    const reference = JSON.stringify(scan(lines, {}, compileRules(rules, { home: HOME, roots: ROOTS })));
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let round = 0; round < 5; round++) {
      const shuffled = [...rules].sort(() => random() - 0.5);
      expect(JSON.stringify(scan(lines, {}, compileRules(shuffled, { home: HOME, roots: ROOTS })))).toBe(reference);
    }
    expect(JSON.parse(reference).length).toBeGreaterThan(20);
  });
});
