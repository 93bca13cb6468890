/*
 * --hold-back-recent through the CLI: pip resolves against the held-back index view, so an
 * unpinned requirement gets the newest release older than the cool-down, and the report names
 * the release held back; an exact pin of a too recent release keeps today's report (exit 4).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../cli/run-cli.ts";
import { useTempDirs } from "../harness/temp.ts";
import type { FixtureFile, IndexServer } from "../harness/types.ts";
import { buildWheel } from "../harness/wheel.ts";
import { startIndex, waitForNoProcesses } from "./helpers.ts";

const SCAN_TIMEOUT_MS = 240_000;
const DAY = 86_400_000;
const tempDir = useTempDirs("pipcanary-hold-back");

const wheel = (version: string, ageDays: number): FixtureFile => ({
  ...buildWheel({ name: "hb-lib", version, files: { "hb_lib/__init__.py": `VERSION = "${version}"\n` } }),
  uploadTime: new Date(Date.now() - ageDays * DAY).toISOString(),
});
const OLD = wheel("1.0", 60);
const MIDDLE = wheel("1.5", 30);
const FRESH = wheel("2.0", 1);

let index: IndexServer;
beforeAll(async () => {
  index = await startIndex([{ name: "hb-lib", releases: [OLD, MIDDLE, FRESH].map((file) => ({ version: file.filename.split("-")[1] ?? "", files: [file] })) }]);
});
afterAll(async () => {
  await index.stop();
});

async function scan(requirements: string, ...extra: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const dir = tempDir("run");
  const runTemp = join(dir, "temporary");
  mkdirSync(runTemp);
  writeFileSync(join(dir, "requirements.txt"), requirements);
  const result = await runCli(["-r", "requirements.txt", "-i", index.simpleUrl, "--temporary-directory", runTemp, "--cache-dir", join(dir, "cache"), "--osv-url", index.url, ...extra], { cwd: dir });
  expect(await waitForNoProcesses(dir)).toEqual([]);
  expect(readdirSync(runTemp)).toEqual([]);
  return result;
}

test("unpinned: the newest release older than the cool-down is resolved, and the held-back one is named", async () => {
  const result = await scan("hb-lib\n", "--hold-back-recent", "--format", "json");
  expect(result.stderr).not.toContain("error:");
  expect(result.code).toBe(0);
  const report = JSON.parse(result.stdout) as { installed: Array<{ name: string; version: string }>; exemptions?: { heldBack?: { releases: Array<{ name: string; version: string }> } } };
  expect(report.installed.map((dist) => `${dist.name} ${dist.version}`)).toEqual(["hb-lib 1.5"]);
  expect(report.exemptions?.heldBack?.releases.map((release) => `${release.name} ${release.version}`)).toEqual(["hb-lib 2.0"]);
}, SCAN_TIMEOUT_MS);

test("the text report names what was held back; -a lets an allowed upload through", async () => {
  const held = await scan("hb-lib\n", "--hold-back-recent");
  expect(held.code).toBe(0);
  expect(held.stdout).toMatch(/Held back from resolution \(--hold-back-recent, uploads after \S+\): hb-lib 2\.0 \(uploaded \S+\)\./);
  const allowed = await scan("hb-lib\n", "--hold-back-recent", "--format", "json", "-a", `hb-lib<=${new Date().toISOString()}`);
  const report = JSON.parse(allowed.stdout) as { installed: Array<{ version: string }> };
  expect(report.installed.map((dist) => dist.version)).toEqual(["2.0"]);
  expect(allowed.code).toBe(0);
}, SCAN_TIMEOUT_MS);

test("without the option the newest release is resolved and reported too recent; a pin of it keeps that report", async () => {
  const plain = await scan("hb-lib\n", "--format", "json");
  expect((JSON.parse(plain.stdout) as { installed: Array<{ version: string }> }).installed.map((dist) => dist.version)).toEqual(["2.0"]);
  expect(plain.code).toBe(4);
  const pinned = await scan("hb-lib==2.0\n", "--hold-back-recent");
  expect(pinned.stdout).toContain("Package hb-lib 2.0 was updated too recently");
  expect(pinned.code).toBe(4);
}, SCAN_TIMEOUT_MS);
