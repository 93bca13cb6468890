/*
 * Issue 8, item 7: pipcanary inside a PID namespace that sees its parent's /proc (as some
 * containers do). bwrap itself reads /proc/<pid>/ns by its own pid numbers there and dies right
 * after creating the sandbox when no process of the parent's has that number, leaving the
 * sandbox's init waiting forever (when one has, bwrap reads a stranger's namespaces and goes on).
 * The outer namespace therefore numbers its processes from a range that is free in the parent's,
 * so every bwrap dies. Every run must still end within its time limit plus the stop margin and
 * leave no process and no temp dir behind.
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
const EXTRACT_LIMIT_MS = 3000;
/** pipcanary's own start-up before the fetch phase begins (bun, python detection, rules). */
const START_UP_ALLOWANCE_MS = 10_000;
const REQUIREMENTS = join(import.meta.dir, "..", "..", "demo", "projects", "safe", "requirements.txt");
const EXTRACT = join(import.meta.dir, "foreign-proc-extract.ts");
/** The checkout (bun, the sources, the demo): CI may clone it below /tmp, which the outer tmpfs hides. */
const CHECKOUT = join(import.meta.dir, "..", "..");
/** Free pids the outer namespace's processes are numbered from: more than a run starts. */
const PID_WINDOW = 2000;
/** How far from the parent's last pid the window stays: it allocates upwards from there. */
const PID_DISTANCE = 5000;

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

/** The pids of `pids` still alive after `ms`: an exiting namespace's init takes a moment to go. */
async function aliveAfter(pids: number[], ms: number): Promise<number[]> {
  const deadline = Date.now() + ms;
  while (pids.some(alive) && Date.now() < deadline) await Bun.sleep(20);
  return pids.filter(alive);
}

/**
 * The last pid before a run of PID_WINDOW numbers no process of ours has, as far behind our
 * namespace's last allocated pid as can be (pids wrap at pid_max), so that our namespace will not
 * allocate into it during the test.
 */
function freePidWindow(): number {
  const used = new Set(readdirSync("/proc").filter((name) => /^\d+$/.test(name)).map(Number));
  const last = Number(readFileSync("/proc/sys/kernel/ns_last_pid", "utf8"));
  const max = Number(readFileSync("/proc/sys/kernel/pid_max", "utf8"));
  for (let back = PID_DISTANCE + PID_WINDOW; back < max - PID_DISTANCE; back += 100) {
    const start = (((last - back) % max) + max) % max;
    if (start < 300 || start + PID_WINDOW > max) continue;
    let free = true;
    for (let pid = start; pid < start + PID_WINDOW && free; pid++) free = !used.has(pid);
    if (free) return start - 1;
  }
  throw new Error(`no ${PID_WINDOW} free pids below pid_max ${max}: run the test when fewer processes are alive`);
}

/** Every process mentioning `dir` and all their descendants, one line each, for a report. */
function processReport(dir: string): string {
  const read = (path: string) => {
    try {
      return readFileSync(path, "utf8");
    } catch {
      return "";
    }
  };
  const pids = processesMentioning(dir);
  for (let i = 0; i < pids.length; i++) {
    for (const child of read(`/proc/${pids[i]}/task/${pids[i]}/children`).split(" ").filter(Boolean).map(Number)) {
      if (!pids.includes(child)) pids.push(child);
    }
  }
  return pids
    .map((pid) => {
      const status = read(`/proc/${pid}/status`)
        .split("\n")
        .filter((line) => /^(State|PPid|TracerPid|NSpid):/.test(line))
        .join(" ");
      return `${pid}: ${status.replaceAll("\t", " ")} ${read(`/proc/${pid}/cmdline`).replaceAll("\0", " ").slice(0, 160)}`;
    })
    .join("\n");
}

interface Outcome {
  stdout: string;
  stderr: string;
  code: number;
  elapsed: number;
  /** Every pid that mentioned the run's dir while it ran. */
  seen: number[];
}

/**
 * Runs `command` in an outer sandbox whose /proc is the parent's and whose pids come from a free
 * window, so every bwrap inside dies after creating its sandbox. Waits at most `limitMs` for the
 * output to close and the sandbox to exit; after that it reports what still ran, ends the outer
 * namespace and fails.
 */
async function runInForeignProc(dir: string, command: string[], limitMs: number): Promise<Outcome> {
  const { bwrap } = requireSandboxTools();
  // `dir` is bound over the tmpfs /tmp so the test can look inside, and the checkout so it can run.
  const outer = [
    bwrap, "--unshare-user", "--uid", "0", "--gid", "0", "--unshare-pid", "--bind", "/", "/", "--bind", "/proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
    "--ro-bind", CHECKOUT, CHECKOUT, "--bind", dir, dir,
  ];
  const numbered = ["/bin/sh", "-c", 'echo "$0" > /proc/sys/kernel/ns_last_pid && exec "$@"', String(freePidWindow())];
  const started = Date.now();
  const child = Bun.spawn([...outer, "--", ...numbered, ...command], {
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
  const stderrChunks: string[] = [];
  const finished = Promise.all([
    new Response(child.stdout).text(),
    (async () => {
      for await (const chunk of child.stderr) stderrChunks.push(new TextDecoder().decode(chunk));
    })(),
    child.exited,
  ]);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const overran = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), limitMs);
  });
  const done = await Promise.race([finished, overran]);
  clearTimeout(timer);
  clearInterval(watch);
  if (done === undefined) {
    const report = processReport(dir);
    // The outer namespace's init: killing it ends every process of the run.
    for (const pid of processesMentioning(dir)) {
      try {
        if (/^NSpid:\s+\d+\s+1$/m.test(readFileSync(`/proc/${pid}/status`, "utf8"))) process.kill(pid, "SIGKILL");
      } catch {
        // Gone meanwhile.
      }
    }
    child.kill("SIGKILL");
    throw new Error(`the run did not end within ${limitMs} ms (exit ${child.exitCode ?? "pending"}); still running:\n${report}\nits stderr so far:\n${stderrChunks.join("")}`);
  }
  const [stdout, , code] = done;
  return { stdout, stderr: stderrChunks.join(""), code, elapsed: Date.now() - started, seen: [...seen] };
}

describe("a foreign /proc", () => {
  test("the fetch phase overruns: exit 2 within its limit plus the margin, phase named, nothing left", async () => {
    const dir = tempDir("run");
    const temporary = join(dir, "temporary");
    mkdirSync(temporary);
    const scan = [BUN, MAIN, "-r", REQUIREMENTS, "-i", index.simpleUrl, "--osv-url", index.url, "--cache-dir", join(dir, "cache"), "--temporary-directory", temporary, "--timeout-fetch", String(FETCH_LIMIT_S)];
    const limit = FETCH_LIMIT_S * 1000 + STOP_MARGIN_MS + START_UP_ALLOWANCE_MS;
    const { stdout, stderr, code, elapsed, seen } = await runInForeignProc(dir, scan, limit + START_UP_ALLOWANCE_MS);

    if (/bwrap: .*(No permissions|Operation not permitted|setting up uid map)/.test(stderr) && !stderr.includes("pipcanary:")) {
      throw new Error(`bwrap cannot run nested on this machine: ${stderr.trim()}`);
    }
    expect(stdout).toBe("");
    // The sandbox's bwrap died (the case under test), and the watchdog ended the phase.
    expect(stderr).toMatch(new RegExp(`pipcanary: error: the fetch phase did not finish within ${FETCH_LIMIT_S} s \\(bwrap: open /proc/\\d+/ns/ns failed`));
    expect(code).toBe(2);
    expect(elapsed).toBeLessThan(limit);

    // The sandbox's bwrap was among them, and none of them is left.
    expect(seen.length).toBeGreaterThan(1);
    expect(await aliveAfter(seen, 1000)).toEqual([]);
    expect(await waitForNoProcesses(dir, 500)).toEqual([]);
    expect(readdirSync(temporary)).toEqual([]);
    // TMPDIR pointed here too: nothing else was left.
    expect(readdirSync(dir).filter((name) => name !== "cache" && name !== "temporary")).toEqual([]);
  }, 120_000);

  test("the static scan's extractor sandbox: it ends within its limit plus the margin, nothing left", async () => {
    const dir = tempDir("extract");
    const control = join(dir, "control");
    mkdirSync(control);
    const limit = EXTRACT_LIMIT_MS + STOP_MARGIN_MS + START_UP_ALLOWANCE_MS;
    const { stdout, code, elapsed, seen } = await runInForeignProc(dir, [BUN, EXTRACT, control, String(EXTRACT_LIMIT_MS)], limit + START_UP_ALLOWANCE_MS);

    expect(code).toBe(0);
    const result = JSON.parse(stdout) as { exitCode: number | null; stdout: string; stderr: string; timedOut: boolean };
    // bwrap died before the command ran, and its sandbox's init waited until the limit killed it.
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^bwrap: open \/proc\/\d+\/ns\/ns failed/m);
    expect(result.timedOut).toBe(true);
    expect(elapsed).toBeLessThan(limit);
    // The outer namespace's init is among them: it lives as long as any process of the run does,
    // the sandbox's init (whose arguments do not name the dir) included.
    expect(seen.length).toBeGreaterThan(1);
    expect(await aliveAfter(seen, 1000)).toEqual([]);
    expect(await waitForNoProcesses(dir, 500)).toEqual([]);
  }, 120_000);
});
