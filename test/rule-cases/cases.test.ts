import { afterAll, describe, expect, test } from "bun:test";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { casesPassed, renderCaseReport, runRuleCases } from "../../src/rule-cases/case-runner.ts";
import { runCli } from "../cli/run-cli.ts";

const RULES = resolve(import.meta.dir, "..", "..", "rules");
const temp = mkdtempSync(join(tmpdir(), "pipcanary-cases-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** A copy of rules/ with `edit` applied to one of its files. */
function brokenCopy(name: string, file: string, edit: (text: string) => string): string {
  const dir = join(temp, name);
  cpSync(RULES, dir, { recursive: true });
  const path = join(dir, file);
  const before = readFileSync(path, "utf8");
  const after = edit(before);
  expect(after).not.toBe(before);
  writeFileSync(path, after);
  return dir;
}

describe("the cases beside the built-in packs", () => {
  test("all pass, and every rule has a case that must fire and one that must not", async () => {
    const report = await runRuleCases(RULES, { python: "python3" });
    expect(renderCaseReport(report)).toEndWith(`${report.outcomes.length} cases passed, 0 failed.\n`);
    expect(report.outcomes.length).toBeGreaterThan(250);
    expect(casesPassed(report)).toBe(true);
  }, 240_000);
});

describe("an organisation's pack and its cases", () => {
  const PACK = `pack: acme
api: ^1.0.0
rules:
  - id: vault-token
    description: Vault token theft.
    explanation: The package might be trying to steal your Vault token.
    severity: block
    match:
      events: [open]
      paths: ["~/.vault-token"]
`;
  const CASES = `cases:
  - name: reads the token
    ruleid: vault-token
    trace:
      - 100 openat(AT_FDCWD</work>, "/home/tester/.vault-token", O_RDONLY|O_CLOEXEC) = 3</home/tester/.vault-token>
  - name: a line strace never prints
    ok: vault-token
    trace:
      - 100 openat(AT_FDCWD</work>, "/home/tester/.vault-token", O_RDONLY
`;

  test("pass when they hold; a trace line the parser cannot read fails its case; a cases file without a pack is named", async () => {
    const dir = join(temp, "acme");
    mkdirSync(dir);
    writeFileSync(join(dir, "acme.yaml"), PACK);
    writeFileSync(join(dir, "acme.cases.yaml"), CASES);
    writeFileSync(join(dir, "old.cases.yaml"), "cases: []\n");
    const report = await runRuleCases(dir, { python: "python3" });
    expect(renderCaseReport(report).split("\n")).toEqual([
      `${dir}/acme.cases.yaml:6: case "a line strace never prints": the parser could not read this trace line: 100 openat(AT_FDCWD</work>, "/home/tester/.vault-token", O_RDONLY`,
      `${dir}/old.cases.yaml:1: no pack old.yaml beside it: its cases test nothing`,
      "1 cases passed, 1 failed, 1 missing.",
      "",
    ]);
  });
});

describe("pipcanary rules --test", () => {
  test("passes on rules/", async () => {
    const result = await runCli(["rules", "--test", RULES], { cwd: temp });
    expect(result.stdout).toMatch(/^\d+ cases passed, 0 failed\.\n$/);
    expect(result.code).toBe(0);
  }, 240_000);

  test("a case that no longer holds fails with file:line, expected and got", async () => {
    const dir = brokenCopy("flipped", "behaviour-network.cases.yaml", (text) => text.replace("    ruleid: network\n", "    ok: network\n"));
    const result = await runCli(["rules", "--test", dir], { cwd: temp });
    expect(result.stdout).toContain(`${dir}/behaviour-network.cases.yaml:2: case "connects to 127.0.0.9:4444": expected network not to fire, got network (block)`);
    expect(result.stdout).toMatch(/ cases passed, 1 failed\.\n$/);
    expect(result.code).toBe(1);
  }, 240_000);

  test("a static case pinned to the wrong severity fails", async () => {
    const dir = brokenCopy("severity", "static-startup.cases.yaml", (text) => text.replace("severity: warn", "severity: info"));
    const result = await runCli(["rules", "--test", dir], { cwd: temp });
    expect(result.stdout).toMatch(/static-startup\.cases\.yaml:\d+: case "sourceless \.pyc in a package": expected static\.bytecode\.sourceless at info, got .*static\.bytecode\.sourceless \(warn\)/);
    expect(result.code).toBe(1);
  }, 240_000);

  test("a rule without a case that must not fire is named with its pack's file:line", async () => {
    const dir = brokenCopy("one-sided", "behaviour-network.cases.yaml", (text) => text.replaceAll("    ok: network\n", "    ok: ssh\n"));
    const result = await runCli(["rules", "--test", dir], { cwd: temp });
    expect(result.stdout).toContain(`${dir}/behaviour-network.yaml:9: rule network has no case that must not fire (ok) in behaviour-network.cases.yaml`);
    expect(result.stdout).toMatch(/ cases passed, 0 failed, 1 missing\.\n$/);
    expect(result.code).toBe(1);
  }, 240_000);

  test("a malformed case is an input error at its line, without a stack trace", async () => {
    const dir = brokenCopy("malformed", "behaviour-network.cases.yaml", (text) => text.replace("    ruleid: network\n    trace:\n", "    ruleid: network\n    tarce:\n"));
    const result = await runCli(["rules", "--test", dir], { cwd: temp });
    expect(result.stderr).toContain(`${dir}/behaviour-network.cases.yaml:4: unknown case field 'tarce'`);
    expect(result.stderr).not.toContain("    at ");
    expect(result.code).toBe(1);
  });

  test("a pack without a cases file is named", async () => {
    const dir = join(temp, "nocases");
    cpSync(join(RULES, "behaviour-network.yaml"), join(dir, "behaviour-network.yaml"));
    const result = await runCli(["rules", "--test", dir], { cwd: temp });
    expect(result.stdout).toContain(`${dir}/behaviour-network.yaml:1: no cases file: add behaviour-network.cases.yaml`);
    expect(result.code).toBe(1);
  });
});
