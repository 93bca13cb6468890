/*
 * Issue 8, item 7: pipcanary inside a PID namespace that sees its parent's /proc (as some
 * containers do). bwrap itself reads /proc by its own pid numbers there and dies right after
 * creating the sandbox, leaving the sandbox's init waiting forever. The run must still end within
 * the phase's time limit plus the stop margin, exit 2 naming the phase, and leave no process and
 * no temp dir behind.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { demoProjects } from "../../demo/packages.ts";
import { requireSandboxTools } from "../../src/sandbox/host-python.ts";
import { STOP_MARGIN_MS } from "../../src/sandbox/traced-run.ts";
import { BUN, MAIN } from "../cli/run-cli.ts";
import { useTempDirs } from "../harness/temp.ts";
import type { IndexServer } from "../harness/types.ts";
import { processesMentioning, startIndex, waitForNoProcesses } from "./helpers.ts";

const FETCH_LIMIT_S = 5;
/** pipcanary's own start-up before the fetch phase begins (bun, python detection, rules). */
const START_UP_ALLOWANCE_MS = 10_000;
const REQUIREMENTS = join(import.meta.dir, "..", "..", "demo", "projects", "safe", "requirements.txt");

const tempDir = useTempDirs("pipcanary-foreign-proc");
let index: IndexServer;

beforeAll(async () => {
  index = await startIndex(demoProjects());
});
afterAll(async () => {
  await index.stop();
});

/** Alive and not a zombie (an exited process nobody reaped holds no resources). */
function alive(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return false;
  }
}

describe("a foreign /proc", () => {
  test("the fetch phase overruns: exit 2 within its limit plus the margin, phase named, nothing left", async () => {
    const { bwrap } = requireSandboxTools();
    const dir = tempDir("run");
    const temporary = join(dir, "temporary");
    mkdirSync(temporary);
    // The outer sandbox of the reproduction; `dir` is bound over its tmpfs /tmp so the test can look inside.
    const outer = [bwrap, "--unshare-user", "--uid", "0", "--gid", "0", "--unshare-pid", "--bind", "/", "/", "--bind", "/proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--bind", dir, dir];
    const scan = [BUN, MAIN, "-r", REQUIREMENTS, "-i", index.simpleUrl, "--osv-url", index.url, "--cache-dir", join(dir, "cache"), "--temporary-directory", temporary, "--timeout-fetch", String(FETCH_LIMIT_S)];
    const started = Date.now();
    const child = Bun.spawn([...outer, "--", ...scan], {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/root", TMPDIR: dir },
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    });
    // Every process of the run names the unique dir in its arguments: note their pids while it runs.
    const seen = new Set<number>();
    const watch = setInterval(() => {
      for (const pid of processesMentioning(dir)) seen.add(pid);
    }, 100);
    const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
    clearInterval(watch);
    const elapsed = Date.now() - started;

    if (/bwrap: .*(No permissions|Operation not permitted|setting up uid map)/.test(stderr) && !stderr.includes("pipcanary:")) {
      throw new Error(`bwrap cannot run nested on this machine: ${stderr.trim()}`);
    }
    expect(stdout).toBe("");
    expect(stderr).toContain(`pipcanary: error: the fetch phase did not finish within ${FETCH_LIMIT_S} s`);
    expect(code).toBe(2);
    expect(elapsed).toBeLessThan(FETCH_LIMIT_S * 1000 + STOP_MARGIN_MS + START_UP_ALLOWANCE_MS);

    // The sandbox's bwrap was among them, and none of them is left.
    expect([...seen].length).toBeGreaterThan(1);
    expect([...seen].filter(alive)).toEqual([]);
    expect(await waitForNoProcesses(dir, 500)).toEqual([]);
    expect(readdirSync(temporary)).toEqual([]);
    // TMPDIR pointed here too: nothing else was left.
    expect(readdirSync(dir).filter((name) => name !== "cache" && name !== "temporary")).toEqual([]);
  }, 120_000);
});
