/*
 * The verdict cache through the CLI, with the real sandbox: a rerun of an unchanged set reuses the
 * behavioural verdict (install and import skipped, the same report plus one line, the audit still
 * run), blocked verdicts included; runners with their own cache directories share verdicts through
 * a real redis-server on 127.0.0.1.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { demoProjects } from "../../demo/packages.ts";
import { type CliResult, runCli } from "../cli/run-cli.ts";
import { type RedisServer, startRedisServer } from "../harness/redis-server.ts";
import { useTempDirs } from "../harness/temp.ts";
import type { IndexServer } from "../harness/types.ts";
import { startIndex, waitForNoProcesses } from "./helpers.ts";

const SCAN_TIMEOUT_MS = 240_000;
const DEMO = join(import.meta.dir, "..", "..", "demo", "projects");
const CACHE_KEY = "0123456789abcdef0123456789abcdef";
const CACHE_LINE = /^Behavioural verdict from the (local|shared) verdict cache, made (\S+) by pipcanary \S+: install and import were skipped for these unchanged files\.$/m;
// The wheels' install starts with the static scan, on the same progress line.
const INSTALLING = "install into a fresh venv";
const IMPORTING = "Importing and exercising";

const tempDir = useTempDirs("pipcanary-verdict-e2e");
let index: IndexServer;
let redis: RedisServer;

beforeAll(async () => {
  index = await startIndex(demoProjects());
  redis = await startRedisServer();
});
afterAll(async () => {
  await index.stop();
  await redis.stop();
});

/** One scan of a demo project with the given cache directory; leaves no process or temp dir. */
async function scanDemo(name: string, cacheDir: string, extra: string[] = [], env: Record<string, string> = {}): Promise<CliResult> {
  const dir = tempDir("run");
  const runTemp = join(dir, "temporary");
  mkdirSync(runTemp);
  const args = ["-r", join(DEMO, name, "requirements.txt"), "-i", index.simpleUrl, "--osv-url", index.url, "--cache-dir", cacheDir, "--temporary-directory", runTemp, ...extra];
  const result = await runCli(args, { cwd: dir, env: { TMPDIR: runTemp, ...env } });
  expect(await waitForNoProcesses(dir)).toEqual([]);
  expect(readdirSync(runTemp)).toEqual([]);
  return result;
}

/** The report without the cache line (and the blank line that separates it from a blocking finding). */
function withoutCacheLine(report: string): string {
  return report.replace(/^Behavioural verdict from .*\n/m, "").replace(/\n\n$/, "\n");
}

function expectRanBehaviouralScan(run: CliResult): void {
  expect(run.stderr).toContain(INSTALLING);
  expect(run.stdout).not.toMatch(CACHE_LINE);
}

function expectReused(run: CliResult, level: "local" | "shared"): void {
  expect(run.stderr).not.toContain(INSTALLING);
  expect(run.stderr).not.toContain(IMPORTING);
  expect(run.stderr).toMatch(CACHE_LINE);
  expect(run.stdout.match(new RegExp(CACHE_LINE.source, "gm"))).toHaveLength(1);
  expect(CACHE_LINE.exec(run.stdout)?.[1]).toBe(level);
}

describe("verdict cache", () => {
  test("safe set: the rerun reuses the verdict, still audits, and prints the same report plus the cache line; cache info/clean count it", async () => {
    const cacheDir = tempDir("cache");
    const cold = await scanDemo("safe", cacheDir);
    expect(cold.code).toBe(0);
    expectRanBehaviouralScan(cold);

    const warm = await scanDemo("safe", cacheDir);
    expect(warm.code).toBe(0);
    expectReused(warm, "local");
    expect(warm.stdout).toContain("Auditing 2 packages...");
    expect(withoutCacheLine(warm.stdout)).toBe(cold.stdout);
    const madeAt = CACHE_LINE.exec(warm.stdout)?.[2] ?? "";
    expect(Date.now() - Date.parse(madeAt)).toBeLessThan(SCAN_TIMEOUT_MS);

    const info = await runCli(["cache", "info", "--cache-dir", cacheDir], { cwd: cacheDir });
    expect(info.stdout).toContain("  verdicts: 1 entries, ");
    const clean = await runCli(["cache", "clean", "--cache-dir", cacheDir], { cwd: cacheDir });
    expect(clean.stdout).toContain("verdicts 1");
    const afterClean = await runCli(["cache", "info", "--cache-dir", cacheDir], { cwd: cacheDir });
    expect(afterClean.stdout).toContain("  verdicts: 0 entries, ");
  }, SCAN_TIMEOUT_MS);

  test("--no-verdict-cache runs install and import although a verdict is cached", async () => {
    const cacheDir = tempDir("cache");
    const cold = await scanDemo("safe", cacheDir);
    expectRanBehaviouralScan(cold);
    const fresh = await scanDemo("safe", cacheDir, ["--no-verdict-cache"]);
    expect(fresh.code).toBe(0);
    expectRanBehaviouralScan(fresh);
    expect(fresh.stdout).toBe(cold.stdout);
  }, SCAN_TIMEOUT_MS);

  test("blocked set: the block verdict is reused with the same blame and exit 5", async () => {
    const cacheDir = tempDir("cache");
    const cold = await scanDemo("behavioural", cacheDir);
    expect(cold.code).toBe(5);
    expect(cold.stdout).toContain("Phase: import");
    expectRanBehaviouralScan(cold);

    const warm = await scanDemo("behavioural", cacheDir);
    expect(warm.code).toBe(5);
    expectReused(warm, "local");
    expect(withoutCacheLine(warm.stdout)).toBe(cold.stdout);
  }, SCAN_TIMEOUT_MS);

  test("two runners with their own cache directories share verdicts through Redis", async () => {
    const env = { PIPCANARY_CACHE_KEY: CACHE_KEY };
    const shared = ["--verdict-cache", redis.url(5)];
    const runnerB = tempDir("cache-b");
    const first = await scanDemo("safe", tempDir("cache-a"), shared, env);
    expect(first.code).toBe(0);
    expectRanBehaviouralScan(first);
    expect(first.stderr).not.toContain("ignoring unknown environment variable");

    const second = await scanDemo("safe", runnerB, shared, env);
    expect(second.code).toBe(0);
    expectReused(second, "shared");
    expect(withoutCacheLine(second.stdout)).toBe(first.stdout);
  }, SCAN_TIMEOUT_MS);

  test("--verdict-cache without PIPCANARY_CACHE_KEY is refused before anything runs (exit 1)", async () => {
    const run = await scanDemo("safe", tempDir("cache"), ["--verdict-cache", redis.url()]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("--verdict-cache is refused without PIPCANARY_CACHE_KEY");
    expect(run.stderr).toContain("openssl rand -hex 32");
    expect(run.stderr).not.toContain("Downloading");
    expect(run.stderr).not.toContain("    at ");
  }, SCAN_TIMEOUT_MS);
});
