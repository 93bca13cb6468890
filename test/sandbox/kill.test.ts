/*
 * Finding and killing sandbox processes through a /proc that may belong to an ancestor PID
 * namespace (a fake /proc tree here), and the watchdog that bounds every traced run whatever the
 * tracer and the sandbox do (a fake tracer here: a shell script in strace's place).
 */
import { afterEach, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { killSandbox, parseSandboxStatus, ProcView, type SandboxStatus, sandboxNamespace } from "../../src/sandbox/kill.ts";
import { STOP_MARGIN_MS, TracedRun, type TracedRunResult } from "../../src/sandbox/traced-run.ts";
import { useTempDirs } from "../harness/temp.ts";

const tempDir = useTempDirs("pipcanary-kill");

interface FakeProcess {
  /** NSpid as the fake /proc shows it, from its own namespace down. */
  nspid: number[];
  children?: number[];
  tracer?: number;
  pidNamespace?: number;
}

/** A /proc of an ancestor namespace: /proc/self is 100, which is pid 2 in our own namespace. */
function fakeProc(processes: Record<number, FakeProcess>): string {
  const root = join(tempDir("proc"), "proc");
  mkdirSync(root);
  symlinkSync("100", join(root, "self"));
  for (const [pid, fake] of Object.entries(processes)) {
    mkdirSync(join(root, pid, "task", pid), { recursive: true });
    mkdirSync(join(root, pid, "ns"));
    writeFileSync(join(root, pid, "status"), `Name:\tx\nTracerPid:\t${fake.tracer ?? 0}\nNSpid:\t${fake.nspid.join("\t")}\n`);
    writeFileSync(join(root, pid, "task", pid, "children"), (fake.children ?? []).map((child) => `${child} `).join(""));
    if (fake.pidNamespace !== undefined) symlinkSync(`pid:[${fake.pidNamespace}]`, join(root, pid, "ns", "pid"));
  }
  return root;
}

const SANDBOX_NS = 4026530001;
const STRANGER_NS = 4026539999;
/** pipcanary (local 2) → strace (local 5) → bwrap (local 6) → sandbox init (local 7, pid 1 inside). */
const HEALTHY: Record<number, FakeProcess> = {
  100: { nspid: [100, 2], children: [101] },
  101: { nspid: [101, 5], children: [102] },
  102: { nspid: [102, 6], children: [103], tracer: 101 },
  103: { nspid: [103, 7, 1], children: [104], tracer: 101, pidNamespace: SANDBOX_NS },
  104: { nspid: [104, 8, 2], tracer: 101, pidNamespace: SANDBOX_NS },
  // Another container's sandbox at the same depth: its pids look like ours by number alone.
  200: { nspid: [200, 5], children: [201] },
  201: { nspid: [201, 7, 1], pidNamespace: STRANGER_NS },
};
const TRACER = 5;

function killed(root: string, status: SandboxStatus): number[] {
  const signalled: number[] = [];
  killSandbox(TRACER, status, new ProcView(root), (pid) => signalled.push(pid));
  return signalled;
}

const noStatus: SandboxStatus = { initPid: undefined, pidNamespace: undefined, exited: false };

describe("the process view of a foreign /proc", () => {
  test("translates every pid into our namespace's numbering through NSpid", () => {
    const view = new ProcView(fakeProc(HEALTHY));
    expect(view.descendants(TRACER).map((entry) => [entry.procPid, entry.localPid])).toEqual([
      [102, 6],
      [103, 7],
      [104, 8],
    ]);
    expect(view.descendants(99)).toEqual([]);
  });

  test("finds the tracees of our tracer wherever they were reparented", () => {
    const view = new ProcView(fakeProc({ ...HEALTHY, 102: { nspid: [102, 6], tracer: 101 }, 1: { nspid: [1], children: [100, 103] } }));
    expect(view.tracees(TRACER).map((entry) => entry.localPid).sort()).toEqual([6, 7, 8]);
  });
});

describe("killing a sandbox", () => {
  test("kills its init (by namespace inode) and the tracer's other descendants, never the stranger with the same numbers", () => {
    const signalled = killed(fakeProc(HEALTHY), { initPid: 7, pidNamespace: SANDBOX_NS, exited: false });
    expect(signalled[0]).toBe(7);
    expect(new Set(signalled)).toEqual(new Set([6, 7, 8]));
  });

  test("finds an init whose bwrap died after clone: reparented out of the tree, still traced", () => {
    const { 102: _bwrap, ...withoutBwrap } = HEALTHY;
    const orphaned = fakeProc({ ...withoutBwrap, 101: { nspid: [101, 5] }, 1: { nspid: [1], children: [100, 103] } });
    const signalled = killed(orphaned, noStatus);
    expect(signalled[0]).toBe(7);
    expect(new Set(signalled)).toEqual(new Set([7, 8]));
  });

  test("learns the sandbox's namespace from the tree when bwrap could not report it", () => {
    const view = new ProcView(fakeProc(HEALTHY));
    expect(sandboxNamespace(TRACER, noStatus, view)).toBe(SANDBOX_NS);
    expect(sandboxNamespace(TRACER, { ...noStatus, pidNamespace: 42 }, view)).toBe(42);
  });

  test("without a readable /proc only bwrap's own report of a live init is used", () => {
    const missing = join(tempDir("no-proc"), "proc");
    expect(killed(missing, { initPid: 7, pidNamespace: undefined, exited: false })).toEqual([7]);
    // Reaped: its pid may belong to someone else already.
    expect(killed(missing, { initPid: 7, pidNamespace: undefined, exited: true })).toEqual([]);
  });

  test("bwrap's --json-status-fd documents are read line by line", () => {
    expect(parseSandboxStatus('{ "child-pid": 14, "pid-namespace": 4026532181 }\n{ "exit-code": 0 }\n')).toEqual({ initPid: 14, pidNamespace: 4026532181, exited: true });
    expect(parseSandboxStatus('{ "child-pid": 14 }\n{ "exit-co')).toEqual({ initPid: 14, pidNamespace: undefined, exited: false });
  });
});

describe("the watchdog of a traced run", () => {
  let strays: number[] = [];
  afterEach(() => {
    for (const pid of strays) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
    strays = [];
  });

  /** A run whose "strace" is `sh -c script`: the script gets strace's arguments and ignores them. */
  function fakeRun(script: string, timeoutMs: number): { run: TracedRun; started: number; controlDir: string } {
    const controlDir = tempDir("control");
    const started = Date.now();
    const run = new TracedRun({
      strace: "/bin/sh",
      bwrap: "/bin/true",
      straceArgs: ["-c", script.replaceAll("$DIR", controlDir), "fake-strace"],
      sandbox: { mounts: [], env: {}, cwd: "/", command: ["/bin/true"] },
      controlDir,
      timeoutMs,
      onLine: () => undefined,
    });
    return { run, started, controlDir };
  }

  async function finish(run: TracedRun, started: number): Promise<TracedRunResult & { elapsed: number }> {
    const result = await run.done;
    return { ...result, elapsed: Date.now() - started };
  }

  test("a tracer that never exits is killed at the time limit plus the margin", async () => {
    const { run, started } = fakeRun("exec sleep 60", 500);
    const result = await finish(run, started);
    expect(result.timedOut).toBe(true);
    expect(result.exitCode).toBeUndefined();
    expect(result.elapsed).toBeLessThan(500 + STOP_MARGIN_MS + 1000);
  });

  test("a process that outlives the tracer and holds its output is not waited for", async () => {
    const { run, started, controlDir } = fakeRun("sleep 60 & echo $! > $DIR/holder; exit 0", 60_000);
    const result = await finish(run, started);
    strays = [Number(readFileSync(join(controlDir, "holder"), "utf8"))];
    expect(result.abandoned).toBe(true);
    expect(result.timedOut).toBe(false);
    expect(result.elapsed).toBeLessThan(STOP_MARGIN_MS + 1000);
  });

  test("a run that ends normally is neither abandoned nor timed out", async () => {
    const { run, started } = fakeRun("echo done; exit 0", 60_000);
    const result = await finish(run, started);
    expect(result).toMatchObject({ exitCode: 0, timedOut: false, abandoned: false, aborted: false });
    expect(result.outputTail).toBe("done\n");
  });
});
