import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { homedir } from "node:os";
import type { Finding } from "../../src/core/finding.ts";
import type { IndexServer } from "../harness/types.ts";
import { useTempDirs } from "../harness/temp.ts";
import { scan, startIndex, waitForNoProcesses } from "./helpers.ts";
import { BLOCKED_PERSISTENCE, OWN_FOLDERS, type PersistenceCase, UNSAFE_SDISTS, WARNED_PERSISTENCE } from "./persistence-packages.ts";

const SCAN_TIMEOUT_MS = 120_000;

function summary(finding: Finding | undefined): Record<string, string | undefined> {
  return {
    severity: finding?.severity,
    package: finding?.package,
    phase: finding?.phase,
    rule: finding?.ruleId,
    path: finding?.subject.kind === "access" ? finding.subject.path : undefined,
  };
}

function expected(item: PersistenceCase, severity: string): Record<string, string | undefined> {
  return { severity, package: item.package, phase: "import", rule: item.ruleId, path: item.subject.replace(/^~\//, `${homedir()}/`) };
}

describe("writes that persist", () => {
  const tempDir = useTempDirs("pipcanary-e2e-persist");
  let index: IndexServer;

  beforeAll(async () => {
    index = await startIndex([
      ...BLOCKED_PERSISTENCE.map((item) => item.project), WARNED_PERSISTENCE.project, OWN_FOLDERS, ...UNSAFE_SDISTS.map((item) => item.project),
    ]);
  });
  afterAll(async () => {
    await index.stop();
  });

  for (const item of BLOCKED_PERSISTENCE) {
    test(`blocks: ${item.title}`, async () => {
      const parent = tempDir(item.package);
      const result = await scan(index, [item.package], parent);
      expect(result.blocked).toBe(true);
      expect(summary(result.findings.find((finding) => finding.severity === "block"))).toEqual(expected(item, "block"));
      expect(await waitForNoProcesses(parent)).toEqual([]);
      expect(readdirSync(parent)).toEqual([]);
    }, SCAN_TIMEOUT_MS);
  }

  test(`warns: ${WARNED_PERSISTENCE.title}`, async () => {
    const parent = tempDir(WARNED_PERSISTENCE.package);
    const result = await scan(index, [WARNED_PERSISTENCE.package], parent);
    expect(result.blocked).toBe(false);
    expect(result.findings.map(summary)).toEqual([expected(WARNED_PERSISTENCE, "warn")]);
    result.dispose();
    expect(readdirSync(parent)).toEqual([]);
  }, SCAN_TIMEOUT_MS);

  test("passes: a package writing its own cache, config and data folders and reading ~/.gitconfig", async () => {
    const parent = tempDir("ownfolders");
    const result = await scan(index, [OWN_FOLDERS.name], parent);
    expect(result.findings).toEqual([]);
    expect(result.blocked).toBe(false);
    result.dispose();
    expect(readdirSync(parent)).toEqual([]);
  }, SCAN_TIMEOUT_MS);

  for (const item of UNSAFE_SDISTS) {
    test(`blames the sdist pip unpacked: ${item.title}`, async () => {
      const parent = tempDir(item.package);
      const result = await scan(index, [item.package], parent);
      expect(result.blocked).toBe(true);
      const blocking = result.findings.filter((finding) => finding.severity === "block");
      expect(blocking.map((finding) => ({ package: finding.package, phase: finding.phase, rule: finding.ruleId, kind: finding.subject.kind }))).toEqual([
        { package: item.package, phase: "fetch", rule: item.ruleId, kind: "archive" },
      ]);
      expect(await waitForNoProcesses(parent)).toEqual([]);
      expect(readdirSync(parent)).toEqual([]);
    }, SCAN_TIMEOUT_MS);
  }
});
