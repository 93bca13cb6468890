import { type PipcanaryError, ScanFailedError } from "../core/errors.ts";
import { DOCTOR_HINT, EnvironmentError, diagnoseSandboxOutput } from "../doctor/diagnosis.ts";
import { readHostFacts } from "../doctor/host-facts.ts";
import type { Matcher } from "../match/matcher.ts";
import type { Finding } from "../core/finding.ts";
import type { Mount } from "../sandbox/bwrap.ts";
import type { SandboxEnvironment } from "../sandbox/environment.ts";
import { FIRST_FAILED_STEP_STATUS, type SupervisorPlan, type SupervisorStep, supervisorEnvironment, supervisorProgram } from "../sandbox/supervisor.ts";
import { TracedRun, type TracedRunResult } from "../sandbox/traced-run.ts";
import type { EventStream } from "../events/stream.ts";
import type { AttributedEvent } from "../trace/events.ts";
import type { Phase } from "../core/phase.ts";
import { STRACE_ARGS } from "../trace/parser.ts";
import type { StepToken } from "./attribution.ts";
import { PhaseTrace } from "./phase-trace.ts";
import type { RawTraceWriter } from "./raw-trace.ts";

/** A supervisor step and the package everything it starts is blamed on. */
export interface PlannedStep extends SupervisorStep {
  package: string | undefined;
  /** Paths only this step's own code touches, and what each means (see AttributionPolicy). */
  tokens?: ReadonlyMap<string, StepToken>;
  /** Shown when this step fails: what the user sees instead of a bare exit status. */
  label: string;
}

export interface PhaseSpec {
  phase: Phase;
  steps: PlannedStep[];
  timeoutSeconds: number;
  /** Extra mounts (egress socket, local find-links) for this phase only. */
  mounts?: Mount[];
  env?: Record<string, string>;
  forward?: { port: number; socket: string };
  /** Directories package code must not change (see PhaseTrace). */
  protectedDirs?: readonly string[];
  /** Every attributed event of the phase's trace, as it arrives (see PhaseTrace). */
  onEvent?: (attributed: AttributedEvent) => void;
}

export interface PhaseOutcome {
  findings: Finding[];
  blocked: boolean;
  /** The step that failed, when the supervisor reported one. */
  failedStep: PlannedStep | undefined;
  result: TracedRunResult;
}

export interface PhaseRunnerOptions {
  environment: SandboxEnvironment;
  /** Where the phase publishes its events and findings; it stops the sandbox on the first blocking finding. */
  events: EventStream;
  tools: { bwrap: string; strace: string };
  matcher: Matcher;
  graceSeconds: number;
  rawTrace: RawTraceWriter | undefined;
  urlBuildPackage: string | undefined;
}

/** A phase in progress, so that findings from outside the trace (the egress proxy) can join it. */
export interface ActivePhase {
  phase: Phase;
  trace: PhaseTrace;
  run: TracedRun;
  /** Work to finish before the phase's findings are final (proxy refusals being attributed). */
  pending: Promise<void>[];
  /** Resolves when the whole trace has been read: nothing more will be attributed. */
  traceEnded: Promise<void>;
}


function outputTail(result: TracedRunResult): string {
  return result.outputTail.trim().split("\n").slice(-15).join("\n");
}

function bwrapErrorOf(result: TracedRunResult): string | undefined {
  return /^bwrap: .*$/m.exec(outputTail(result))?.[0];
}

/** The environment's cause of a sandbox that did not work, with its fix, when its output names one. */
function environmentFailure(message: string, result: TracedRunResult): EnvironmentError | undefined {
  const diagnosis = diagnoseSandboxOutput(outputTail(result), readHostFacts());
  return diagnosis ? new EnvironmentError(message, diagnosis) : undefined;
}

/** Neither a finding nor a failing step: the sandbox or the tracer itself did not work. */
function sandboxFailure(phase: Phase, result: TracedRunResult): PipcanaryError {
  const bwrapError = bwrapErrorOf(result);
  const tracerError = /^(?:\S*\/)?strace: .*$/m.exec(outputTail(result))?.[0];
  const setupError = bwrapError ?? tracerError;
  if (setupError) {
    const message = `the sandbox could not be set up: ${setupError}`;
    return environmentFailure(message, result) ?? new ScanFailedError(message, DOCTOR_HINT);
  }
  const tail = outputTail(result);
  return new ScanFailedError(`the ${phase} phase's sandbox ended with status ${result.exitCode ?? "killed"}`, tail || undefined);
}

/** Runs one traced phase in a fresh sandbox: one supervisor, its steps, one strace stream. */
export class PhaseRunner {
  active: ActivePhase | undefined;

  constructor(private readonly options: PhaseRunnerOptions) {}

  async run(spec: PhaseSpec): Promise<PhaseOutcome> {
    const { environment, tools, matcher, graceSeconds, rawTrace, events } = this.options;
    const phase = spec.phase;
    const plan: SupervisorPlan = {
      forward: spec.forward,
      steps: spec.steps.map(({ argv, cwd, required, stdin, waitSeconds }) => ({ argv, cwd, required, stdin, waitSeconds })),
      graceSeconds,
      failedBase: FIRST_FAILED_STEP_STATUS,
      env: { ...environment.env, ...spec.env },
    };
    // A bare interpreter reading its program on stdin: its command line names no script or plan.
    const supervisorArgv = [environment.python.executable];
    rawTrace?.section(`phase ${spec.phase}`);

    let run: TracedRun | undefined;
    const trace = new PhaseTrace({
      phase: spec.phase,
      matcher,
      cwd: environment.workDir,
      rawSink: rawTrace?.write,
      onFinding: (finding) => events.publish("finding", finding),
      excepted: events.excepted,
      onTraceProblem: (line) => events.publish("trace-problem", { phase, line }),
      onLingering: ({ package: name, argv }) => events.publish("lingering-process", { phase, package: name, argv }),
      graceSeconds,
      supervisorArgv,
      steps: spec.steps.map((step) => ({ argv: step.argv, package: step.package, tokens: step.tokens })),
      urlBuildPackage: this.options.urlBuildPackage,
      forwarder: spec.forward ? { address: "127.0.0.1", port: spec.forward.port } : undefined,
      protectedDirs: spec.protectedDirs,
      onEvent: (attributed) => {
        spec.onEvent?.(attributed);
        events.publish("syscall", attributed);
      },
    });
    run = new TracedRun({
      ...tools,
      straceArgs: STRACE_ARGS,
      sandbox: {
        mounts: [...environment.mounts, ...(spec.mounts ?? [])],
        env: supervisorEnvironment(plan.env),
        cwd: environment.workDir,
        command: supervisorArgv,
      },
      stdin: supervisorProgram(plan),
      controlDir: environment.controlDir,
      timeoutMs: spec.timeoutSeconds * 1000,
      onLine: trace.line,
    });
    let traceEnd = () => {};
    const traceEnded = new Promise<void>((resolve) => (traceEnd = resolve));
    const active: ActivePhase = { phase, trace, run, pending: [], traceEnded };
    this.active = active;
    const started = run;
    events.enter({ phase, report: (finding) => trace.report(finding), stop: () => started.abort() });
    let result: TracedRunResult;
    try {
      result = await run.done;
      trace.finish();
      traceEnd();
      await Promise.all(active.pending);
    } finally {
      traceEnd();
      events.leave();
      this.active = undefined;
      rawTrace?.flush();
    }
    events.throwIfFailed();

    const blocked = trace.isBlocked;
    if (!blocked && result.timedOut) {
      const bwrapError = bwrapErrorOf(result);
      const message = `the ${spec.phase} phase did not finish within ${spec.timeoutSeconds} s${bwrapError ? ` (${bwrapError})` : ""}; its sandbox was killed`;
      throw (bwrapError && environmentFailure(message, result)) ?? new ScanFailedError(message, bwrapError ? DOCTOR_HINT : `give it more time with --timeout-${spec.phase} <seconds>`);
    }
    if (!blocked && result.abandoned) {
      throw new ScanFailedError(
        `the ${spec.phase} phase's sandbox did not end cleanly: a process the tracer no longer followed kept running, and pipcanary killed it`,
        "run the scan again; if it happens again, a package may be evading the tracer",
      );
    }
    const failedIndex = result.exitCode === undefined ? -1 : result.exitCode - FIRST_FAILED_STEP_STATUS;
    const failedStep = failedIndex >= 0 ? spec.steps[failedIndex] : undefined;
    if (!blocked && result.exitCode !== 0 && failedStep === undefined) throw sandboxFailure(spec.phase, result);
    return { findings: trace.findings, blocked, failedStep, result };
  }
}
