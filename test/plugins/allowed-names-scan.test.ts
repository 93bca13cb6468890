/**
 * plugins/allowed-names.ts in a whole scan (`bun src/main.ts --plugin …`, as the binary loads it):
 * a requirement off the allowlist is refused by onRequirements before anything is fetched, so its
 * sdist's setup.py never runs, not even in the sandbox; a transitive one is refused by onArtifact
 * once downloaded, before the static scan.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { project, startIndex, waitForNoProcesses } from "../e2e/helpers.ts";
import { type CliResult, runCli } from "../cli/run-cli.ts";
import { buildSdist } from "../harness/sdist.ts";
import { useTempDirs } from "../harness/temp.ts";
import type { IndexServer } from "../harness/types.ts";
import { buildWheel } from "../harness/wheel.ts";

const PLUGIN = join(import.meta.dir, "..", "..", "plugins", "allowed-names.ts");
const SCAN_TIMEOUT_MS = 240_000;
const OLD_ENOUGH = new Date(Date.now() - 30 * 86_400_000).toISOString();

const tempDir = useTempDirs("pipcanary-allowed-names");
let index: IndexServer;

beforeAll(async () => {
  const sdist = buildSdist({ name: "setup-runner", version: "1.0", files: { "setup_runner/__init__.py": "VALUE = 1\n" } });
  const top = buildWheel({ name: "allowed-top", version: "1.0", requires: ["not-listed"], files: { "allowed_top/__init__.py": "VALUE = 1\n" } });
  const dependency = buildWheel({ name: "not-listed", version: "1.0", files: { "not_listed/__init__.py": "VALUE = 1\n" } });
  index = await startIndex([
    project("setup-runner", "1.0", { ...sdist, uploadTime: OLD_ENOUGH }),
    project("allowed-top", "1.0", { ...top, uploadTime: OLD_ENOUGH }),
    project("not-listed", "1.0", { ...dependency, uploadTime: OLD_ENOUGH }),
  ]);
});
afterAll(async () => {
  await index?.stop();
});

async function scan(requirement: string): Promise<CliResult & { findings: Array<{ ruleId: string; package: string; phase: string }> }> {
  const dir = tempDir("run");
  const temporary = join(dir, "temporary");
  mkdirSync(temporary);
  writeFileSync(join(dir, "requirements.txt"), `${requirement}\n`);
  const args = ["-r", "requirements.txt", "-i", index.simpleUrl, "--osv-url", index.url, "--cache-dir", join(dir, "cache"), "--temporary-directory", temporary];
  const run = await runCli([...args, "--plugin", PLUGIN, "--format", "json"], { cwd: dir, env: { ALLOWED_NAMES: "allowed-top", TMPDIR: temporary } });
  expect(await waitForNoProcesses(dir)).toEqual([]);
  expect(readdirSync(temporary)).toEqual([]);
  const report = JSON.parse(run.stdout) as { findings: Array<{ ruleId: string; package: string; phase: string }> };
  return { ...run, findings: report.findings.map(({ ruleId, package: name, phase }) => ({ ruleId, package: name, phase })) };
}

describe("plugins/allowed-names.ts in a scan", () => {
  test("a requirement off the allowlist blocks before pip asks the index for anything (exit 5)", async () => {
    const before = index.requests.length;
    const run = await scan("setup-runner==1.0");
    expect(run.findings).toEqual([{ ruleId: "org.allowed-names", package: "setup-runner", phase: "static" }]);
    expect(index.requests.slice(before).filter((request) => request.path.includes("setup"))).toEqual([]);
    expect(run.code).toBe(5);
  }, SCAN_TIMEOUT_MS);

  test("an allowed requirement passes the names stage; its dependency off the list is refused once downloaded (exit 5)", async () => {
    const before = index.requests.length;
    const run = await scan("allowed-top==1.0");
    expect(run.findings).toEqual([{ ruleId: "org.allowed-names", package: "not-listed", phase: "static" }]);
    expect(index.requests.slice(before).some((request) => request.path.includes("not_listed-1.0-py3-none-any.whl"))).toBe(true);
    expect(run.code).toBe(5);
  }, SCAN_TIMEOUT_MS);
});
