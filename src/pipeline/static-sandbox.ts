import type { Mount } from "../sandbox/bwrap.ts";
import { TracedRun } from "../sandbox/traced-run.ts";
import type { SpawnFunction } from "../static/python/extractor.ts";

export interface UntracedSandboxOptions {
  tools: { bwrap: string; strace: string };
  mounts: Mount[];
  env: Record<string, string>;
  controlDir: string;
  /** Working directory inside the sandbox (default /tmp). */
  cwd?: string;
  /** Kills the sandbox when aborted, or never starts it when aborted already; the exit code is then null. */
  signal?: AbortSignal;
}

/**
 * strace follows every process of the sandbox and records nothing: the trace is not what these
 * runs want, the tracer is. Every process it traces can be found and killed even after bwrap
 * died and the sandbox's init was reparented away (as under a /proc of another PID namespace,
 * where bwrap dies right after creating the sandbox), so no run outlasts its time limit plus
 * STOP_MARGIN_MS or leaves a process behind. With `--seccomp-bpf` and no traced call, the
 * processes never stop for a system call: they run at full speed.
 */
const STRACE_ARGS = ["-f", "-qq", "--seccomp-bpf", "-e", "trace=none", "-e", "signal=none"];

/**
 * Runs a command in a fresh sandbox of the run, without network and without a trace: the static
 * scan's fact extractor, and pip installing wheels (which runs no package code).
 */
export function untracedSandboxSpawn(options: UntracedSandboxOptions): SpawnFunction {
  return async (argv, stdin, timeoutMs) => {
    const output = { stdout: "", stderr: "" };
    if (options.signal?.aborted) return { exitCode: null, ...output, timedOut: false };
    const run = new TracedRun({
      ...options.tools,
      straceArgs: STRACE_ARGS,
      sandbox: { mounts: options.mounts, env: options.env, cwd: options.cwd ?? "/tmp", command: argv },
      controlDir: options.controlDir,
      timeoutMs,
      onLine: () => undefined,
      stdin,
      onOutput: (text, stream) => {
        output[stream] += text;
      },
    });
    const stop = () => run.abort();
    options.signal?.addEventListener("abort", stop, { once: true });
    const result = await run.done;
    options.signal?.removeEventListener("abort", stop);
    return { exitCode: result.exitCode ?? null, ...output, timedOut: result.timedOut };
  };
}
