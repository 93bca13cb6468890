import type { Mount } from "../sandbox/bwrap.ts";
import { TracedRun } from "../sandbox/traced-run.ts";
import type { SpawnFunction } from "../static/python/extractor.ts";

export interface StaticSandboxOptions {
  tools: { bwrap: string; strace: string };
  mounts: Mount[];
  env: Record<string, string>;
  controlDir: string;
}

/**
 * strace follows every process of the sandbox and records nothing: the trace is not what the
 * static scan wants, the tracer is. Every process it traces can be found and killed even after
 * bwrap died and the sandbox's init was reparented away (as under a /proc of another PID
 * namespace, where bwrap dies right after creating the sandbox), so no extractor run outlasts its
 * time limit plus STOP_MARGIN_MS or leaves a process behind.
 */
const STRACE_ARGS = ["-f", "-qq", "--seccomp-bpf", "-e", "trace=none", "-e", "signal=none"];

/** Runs the static scan's fact extractor in a fresh sandbox of the run, without network. */
export function staticSandboxSpawn(options: StaticSandboxOptions): SpawnFunction {
  return async (argv, stdin, timeoutMs) => {
    const output = { stdout: "", stderr: "" };
    const run = new TracedRun({
      ...options.tools,
      straceArgs: STRACE_ARGS,
      sandbox: { mounts: options.mounts, env: options.env, cwd: "/tmp", command: argv },
      controlDir: options.controlDir,
      timeoutMs,
      onLine: () => undefined,
      stdin,
      onOutput: (text, stream) => {
        output[stream] += text;
      },
    });
    const result = await run.done;
    return { exitCode: result.exitCode ?? null, ...output, timedOut: result.timedOut };
  };
}
