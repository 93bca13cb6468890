import { closeSync, constants, openSync, readSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { onCleanup } from "../core/cleanup.ts";
import { bwrapArgs, type SandboxSpec } from "./bwrap.ts";
import { killSandbox, killTracer } from "./kill.ts";

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
  /** The sandboxed command's stdin (a program for a bare interpreter); none when absent. */
  stdin?: string;
  /** The sandbox's own stdout/stderr, for progress and error messages only, never for blame. */
  onOutput?: (text: string) => void;
}

export interface TracedRunResult {
  /** bwrap's exit status (the supervisor's), undefined when killed. */
  exitCode: number | undefined;
  aborted: boolean;
  timedOut: boolean;
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
let fifoCounter = 0;

function makeFifo(path: string): void {
  const made = Bun.spawnSync(["mkfifo", "-m", "600", path], { stdout: "ignore", stderr: "pipe" });
  if (made.exitCode !== 0) throw new Error(`mkfifo ${path} failed: ${made.stderr.toString().trim()}`);
}

/**
 * One sandboxed command under strace. strace runs OUTSIDE bwrap and writes to a FIFO in a
 * directory the sandbox cannot see, so no sandboxed process can add or hide trace lines. The
 * sandbox's stdout/stderr are drained separately and never parsed for attribution.
 */
export class TracedRun {
  readonly done: Promise<TracedRunResult>;
  private readonly child: Subprocess<"ignore" | Buffer, "pipe", "pipe">;
  private aborted = false;
  private timedOut = false;
  private killed = false;

  constructor(private readonly options: TracedRunOptions) {
    const fifo = join(options.controlDir, `trace-${process.pid}-${++fifoCounter}.fifo`);
    makeFifo(fifo);
    // Reader first (non-blocking open never waits), then our own writer end, so EOF only comes
    // when we close it after strace has exited — never early if strace opens the FIFO late.
    const readFd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const keepAliveFd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    const child = Bun.spawn(
      [options.strace, ...options.straceArgs, "-o", fifo, "--", options.bwrap, ...bwrapArgs(options.sandbox)],
      { stdin: options.stdin === undefined ? "ignore" : Buffer.from(options.stdin), stdout: "pipe", stderr: "pipe", env: {} },
    );
    this.child = child;
    const unregister = onCleanup(() => this.kill());
    const timer = setTimeout(() => {
      this.timedOut = true;
      void this.kill();
    }, options.timeoutMs);
    const trace = this.readTrace(readFd);
    const output = Promise.all([this.drain(child.stdout), this.drain(child.stderr)]);
    this.done = (async () => {
      const exitCode = await child.exited;
      clearTimeout(timer);
      closeSync(keepAliveFd);
      await trace;
      const [stdout, stderr] = await output;
      unregister();
      return {
        exitCode: this.killed ? undefined : exitCode,
        aborted: this.aborted,
        timedOut: this.timedOut,
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
    void this.kill();
  }

  /** Resolves once strace has exited (it is killed too if it does not within a grace period). */
  private async kill(): Promise<void> {
    if (!this.killed) {
      this.killed = true;
      killSandbox(this.child.pid);
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const exited = await Promise.race([
      this.child.exited.then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), TRACER_EXIT_GRACE_MS);
      }),
    ]);
    clearTimeout(timer);
    if (!exited) killTracer(this.child.pid);
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

  private async drain(stream: ReadableStream<Uint8Array>): Promise<string> {
    const decoder = new TextDecoder();
    let tail = "";
    for await (const chunk of stream) {
      const text = decoder.decode(chunk, { stream: true });
      this.options.onOutput?.(text);
      tail = (tail + text).slice(-OUTPUT_TAIL_CHARS);
    }
    return tail;
  }
}
