import { closeSync, constants, openSync, readFileSync, readSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { onCleanup } from "../core/cleanup.ts";
import { ScanFailedError } from "../core/errors.ts";
import { bwrapArgs, type SandboxSpec, supportsDisableUserns } from "./bwrap.ts";
import { killSandbox, killTracer, parseSandboxStatus, ProcView, type SandboxStatus, sandboxNamespace } from "./kill.ts";
import { encodeProgram, hostSeccompArch, seccompProgram } from "./seccomp.ts";

export interface TracedRunOptions {
  strace: string;
  bwrap: string;
  /** strace options that select syscalls and output format; `-o` is added here. */
  straceArgs: readonly string[];
  sandbox: SandboxSpec;
  /** A host directory that is NOT bound into the sandbox: the trace FIFO lives there. */
  controlDir: string;
  timeoutMs: number;
  /** Called for each complete trace line, in order. May call `abort()`. */
  onLine: (line: string) => void;
  /** The sandboxed command's stdin (a program for a bare interpreter, a request); none when absent. */
  stdin?: string | Uint8Array;
  /** The sandbox's own stdout/stderr, never for blame: the trace alone says what the sandbox did. */
  onOutput?: (text: string, stream: "stdout" | "stderr") => void;
}

export interface TracedRunResult {
  /** bwrap's exit status (the supervisor's), undefined when killed. */
  exitCode: number | undefined;
  aborted: boolean;
  timedOut: boolean;
  /**
   * The tracer exited but a sandboxed process it no longer traced kept the output open, or the
   * tracer would not die: pipcanary killed what it found and stopped reading.
   */
  abandoned: boolean;
  /** Last part of the sandbox's stdout+stderr, for error messages. */
  outputTail: string;
  /** Host pid of strace, whose child is bwrap. */
  tracerPid: number;
}

const OUTPUT_TAIL_CHARS = 8000;
const READ_BUFFER_BYTES = 1 << 20;
const POLL_IDLE_MS = 2;
/** How long strace gets to reap the killed sandbox and exit before it is killed too. */
const TRACER_EXIT_GRACE_MS = 2000;
/**
 * How long the trace and output pipes may stay open once strace is gone (or was killed): only a
 * process strace no longer traces can hold them. After that they are abandoned, so no run lasts
 * longer than its time limit plus TRACER_EXIT_GRACE_MS plus this, whatever the sandbox does.
 */
const PIPE_CLOSE_GRACE_MS = 1000;
/** The most a run can outlast its time limit. */
export const STOP_MARGIN_MS = TRACER_EXIT_GRACE_MS + PIPE_CLOSE_GRACE_MS;
/** How often the sandbox's PID namespace is looked for until it is known. */
const NAMESPACE_WATCH_MS = 20;
let fifoCounter = 0;
let seccompBytes: Uint8Array | undefined;

function makeFifo(path: string): void {
  const made = Bun.spawnSync(["mkfifo", "-m", "600", path], { stdout: "ignore", stderr: "pipe" });
  if (made.exitCode !== 0) throw new Error(`mkfifo ${path} failed: ${made.stderr.toString().trim()}`);
}

/**
 * An fd of the seccomp program for bwrap to read: written to a file in the control directory
 * (which the sandbox cannot see) and unlinked at once, so only the open fd remains.
 */
function openSeccompProgram(path: string): number {
  if (seccompBytes === undefined) {
    const arch = hostSeccompArch();
    if (arch === undefined) {
      throw new ScanFailedError(
        `the sandbox's seccomp filter is written for x86_64 and aarch64, and this machine is ${process.arch}`,
        "run pipcanary on an x86_64 or aarch64 Linux machine",
      );
    }
    seccompBytes = encodeProgram(seccompProgram(arch));
  }
  writeFileSync(path, seccompBytes, { mode: 0o600 });
  const fd = openSync(path, constants.O_RDONLY);
  unlinkSync(path);
  return fd;
}

/**
 * One sandboxed command under strace. strace runs OUTSIDE bwrap and writes to a FIFO in a
 * directory the sandbox cannot see, so no sandboxed process can add or hide trace lines. The
 * sandbox's stdout/stderr are drained separately and never parsed for attribution.
 */
export class TracedRun {
  readonly done: Promise<TracedRunResult>;
  private readonly child: Subprocess<"ignore" | Buffer, "pipe", "pipe">;
  private readonly statusPath: string;
  private aborted = false;
  private timedOut = false;
  private killed = false;
  private abandoned = false;
  private readonly readers: Array<{ cancel(): Promise<void> }> = [];
  private tracerGone: () => void = () => undefined;
  private readonly view = new ProcView();
  /**
   * Learnt while the run starts, so the sandbox can be killed even after bwrap died and its init
   * was reparented out of the tracer's tree (bwrap's --die-with-parent does not reach an init
   * whose credentials changed).
   */
  private namespace: number | undefined;

  constructor(private readonly options: TracedRunOptions) {
    const runId = `${process.pid}-${++fifoCounter}`;
    const fifo = join(options.controlDir, `trace-${runId}.fifo`);
    makeFifo(fifo);
    const seccompFd = openSeccompProgram(join(options.controlDir, `seccomp-${runId}.bpf`));
    // Reader first (non-blocking open never waits), then our own writer end, so EOF only comes
    // when we close it after strace has exited — never early if strace opens the FIFO late.
    const readFd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const keepAliveFd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    // bwrap reports the sandbox's init and PID namespace here: the handle it is killed by.
    this.statusPath = join(options.controlDir, `status-${runId}.json`);
    const statusFd = openSync(this.statusPath, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, 0o600);
    // strace, and bwrap after it, inherit the seccomp program and the status file at these fds.
    const stdin = options.stdin === undefined ? "ignore" : Buffer.from(options.stdin);
    const stdio: ["ignore" | Buffer, "pipe", "pipe", number, number] = [stdin, "pipe", "pipe", seccompFd, statusFd];
    const confinement = { seccompFd: 3, disableUserns: supportsDisableUserns(options.bwrap) };
    const statusChildFd = 4;
    const sandbox = { ...options.sandbox, confinement };
    let child: Subprocess<"ignore" | Buffer, "pipe", "pipe">;
    try {
      child = Bun.spawn(
        [options.strace, ...options.straceArgs, "-o", fifo, "--", options.bwrap, "--json-status-fd", String(statusChildFd), ...bwrapArgs(sandbox)],
        { stdio, env: {} },
      );
    } finally {
      closeSync(seccompFd);
      closeSync(statusFd);
    }
    this.child = child;
    const unregister = onCleanup(() => this.stop());
    const timer = setTimeout(() => {
      this.timedOut = true;
      void this.stop();
    }, options.timeoutMs);
    const watch = setInterval(() => {
      this.namespace = sandboxNamespace(child.pid, this.status(), this.view);
      if (this.namespace !== undefined) clearInterval(watch);
    }, NAMESPACE_WATCH_MS);
    const trace = this.readTrace(readFd);
    const output = Promise.all([this.drain(child.stdout, "stdout"), this.drain(child.stderr, "stderr")]);
    const tracerGone = new Promise<void>((resolve) => {
      this.tracerGone = resolve;
    });
    this.done = (async () => {
      const exitCode = await Promise.race([child.exited, tracerGone.then(() => undefined)]);
      closeSync(keepAliveFd);
      // strace has reaped every tracee; a sandbox process still alive escaped the trace.
      if (!this.status().exited) this.killSandbox();
      const pipes = Promise.all([trace, output]);
      if (!(await settlesWithin(pipes, PIPE_CLOSE_GRACE_MS))) {
        this.killSandbox();
        this.abandonPipes();
      }
      const [, [stdout, stderr]] = await pipes;
      clearTimeout(timer);
      clearInterval(watch);
      unregister();
      return {
        exitCode: this.killed || exitCode === undefined ? undefined : exitCode,
        aborted: this.aborted,
        timedOut: this.timedOut,
        abandoned: this.abandoned,
        outputTail: `${stdout}${stderr}`.slice(-OUTPUT_TAIL_CHARS),
        tracerPid: child.pid,
      };
    })();
  }

  get tracerPid(): number {
    return this.child.pid;
  }

  /** Stops the run at once because of a finding: the whole sandbox is killed. */
  abort(): void {
    this.aborted = true;
    void this.stop();
  }

  private status(): SandboxStatus {
    let text = "";
    try {
      text = readFileSync(this.statusPath, "utf8");
    } catch {
      // Not written yet.
    }
    const status = parseSandboxStatus(text);
    return { ...status, pidNamespace: status.pidNamespace ?? this.namespace };
  }

  private killSandbox(): void {
    killSandbox(this.child.pid, this.status(), this.view);
  }

  /**
   * Kills the sandbox; resolves once strace has exited. A tracer that does not exit within a
   * grace period is killed too and no longer waited for.
   */
  private async stop(): Promise<void> {
    if (!this.killed) {
      this.killed = true;
      this.killSandbox();
    }
    if (await settlesWithin(this.child.exited, TRACER_EXIT_GRACE_MS)) return;
    killTracer(this.child.pid);
    this.killSandbox();
    this.tracerGone();
  }

  /** Stops reading the trace and the output: whatever still holds them open is not waited for. */
  private abandonPipes(): void {
    this.abandoned = true;
    for (const reader of this.readers) void reader.cancel().catch(() => undefined);
  }

  /**
   * Reads the FIFO by polling its non-blocking fd: strace writes every line (often in two
   * writes), and a stream reader would wake up for each, which costs more CPU than parsing and
   * matching. A poll drains whatever has accumulated in one read; when the FIFO was empty it waits
   * POLL_IDLE_MS, so a finding is seen at most that much later.
   */
  private readTrace(fd: number): Promise<void> {
    const buffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
    const decoder = new TextDecoder();
    let pending = "";
    const deliver = (text: string) => {
      pending += text;
      let start = 0;
      let newline = pending.indexOf("\n");
      while (newline >= 0 && !this.aborted) {
        this.options.onLine(pending.slice(start, newline));
        start = newline + 1;
        newline = pending.indexOf("\n", start);
      }
      pending = this.aborted ? "" : pending.slice(start);
    };
    return new Promise<void>((resolve, reject) => {
      const finish = () => {
        if (pending !== "" && !this.aborted) this.options.onLine(pending);
        closeSync(fd);
        resolve();
      };
      const poll = () => {
        if (this.abandoned) {
          closeSync(fd);
          resolve();
          return;
        }
        let read = false;
        for (;;) {
          let count: number;
          try {
            count = readSync(fd, buffer, 0, buffer.length, null);
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code === "EAGAIN") break;
            closeSync(fd);
            reject(error);
            return;
          }
          if (count === 0) {
            finish();
            return;
          }
          read = true;
          const text = decoder.decode(buffer.subarray(0, count), { stream: true });
          if (!this.aborted) deliver(text);
        }
        if (read) setImmediate(poll);
        else setTimeout(poll, POLL_IDLE_MS);
      };
      poll();
    });
  }

  private async drain(stream: ReadableStream<Uint8Array>, name: "stdout" | "stderr"): Promise<string> {
    const reader = stream.getReader();
    this.readers.push(reader);
    const decoder = new TextDecoder();
    let tail = "";
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      const text = decoder.decode(chunk.value, { stream: true });
      this.options.onOutput?.(text, name);
      tail = (tail + text).slice(-OUTPUT_TAIL_CHARS);
    }
    return tail;
  }
}

/** True when `promise` settled within `ms`, false when the time ran out first. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const settled = await Promise.race([
    promise.then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    }),
  ]);
  clearTimeout(timer);
  return settled;
}
