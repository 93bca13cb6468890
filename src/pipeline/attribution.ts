import { normalizeName } from "../core/names.ts";
import type { TraceEvent } from "../trace/events.ts";
import type { Phase } from "../core/phase.ts";
import type { ExecInfo, ProcessTree } from "../trace/process-tree.ts";

/**
 * A path only a step's own code knows (random, existing nowhere), which it touches (open or stat)
 * to mark a moment: `start` when the code that runs the distribution begins (the process belongs
 * to `package` from then on), `budget` when its time budget ran out, `failed` when a module did
 * not import (`detail` names it), `done` when all its work is done.
 */
export interface StepToken {
  kind: "start" | "budget" | "failed" | "done";
  package: string;
  detail?: string;
}

/**
 * What a started step's process tells about its own run: a `budget` or `failed` token, or
 * `incomplete` when it ended (or was killed) before touching its `done` token.
 */
export interface StepNote {
  kind: "budget" | "failed" | "incomplete";
  package: string;
  detail?: string;
}

/** A supervisor step and whom everything it starts is blamed on. */
export interface StepAssignment {
  argv: readonly string[];
  /** Blame for the step's process (for an exercise unit: until its start token). */
  package: string | undefined;
  /** Tokens that only the step's workers (its direct children) may touch, each its own. */
  tokens?: ReadonlyMap<string, StepToken>;
}

/**
 * pip unpacks each sdist into `$TMPDIR/pip-<kind>-<random>/<canonical name>[_<uuid hex>]` and runs
 * the build backend (`_in_process.py`, or `setup.py` for legacy builds) with that as its cwd.
 * The directory name comes from pip's resolver, before any of the package's code has run.
 */
const PIP_BUILD_DIR = /^\/tmp\/pip-(?:download|install|wheel)-[a-z0-9_]+\/([A-Za-z0-9._-]+?)(?:_[0-9a-f]{32})?(?:\/|$)/;
/** URL requirements are unpacked into a directory without the project's name. */
const PIP_URL_BUILD_DIR = /^\/tmp\/pip-req-build-[a-z0-9_]+(?:\/|$)/;

export interface AttributionPolicyOptions {
  phase: Phase;
  /** argv of the supervisor, the sandbox's first process (pipcanary's own). */
  supervisorArgv: readonly string[];
  steps: readonly StepAssignment[];
  /** Blame for builds of URL requirements (`name @ url`), whose build dir carries no name. */
  urlBuildPackage: string | undefined;
}

function sameArgv(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

/**
 * Decides, from the process tree alone, which package a process belongs to: the supervisor's
 * direct children are the plan's steps (one per distribution in the import phase), and pip's
 * build subprocesses belong to the sdist whose unpacked directory they run in. Nothing a
 * traced program prints is consulted, and a process already blamed on a package is never
 * re-blamed on another (a payload cannot chdir into another sdist's dir, or exec itself as a
 * direct child of the supervisor, to shift the blame).
 */
export class AttributionPolicy {
  private supervisorPid: number | undefined;
  /** Direct children of the supervisor, by pid: the index of the step each one is. */
  private readonly stepOf = new Map<number, number>();
  private nextStep = 0;
  /** Started step processes: their package, until they touch their `done` token. */
  private readonly started = new Map<number, string>();
  private readonly done = new Set<number>();
  /** Start tokens already used: each starts one worker. */
  private readonly claimed = new Set<string>();

  constructor(private readonly options: AttributionPolicyOptions) {}

  get supervisor(): number | undefined {
    return this.supervisorPid;
  }

  readonly onExec = (info: ExecInfo, tree: ProcessTree): void => {
    const { phase } = this.options;
    if (this.supervisorPid === undefined) {
      if (sameArgv(info.argv, this.options.supervisorArgv)) {
        this.supervisorPid = info.pid;
        tree.assign(info.pid, { phase, package: undefined });
      }
      return;
    }
    if (info.parentPid === this.supervisorPid && !this.stepOf.has(info.pid)) {
      // The supervisor starts its steps one after another; a step whose exec failed is skipped.
      const { steps } = this.options;
      let index = this.nextStep;
      while (index < steps.length && !sameArgv(steps[index]?.argv ?? [], info.argv)) index++;
      this.stepOf.set(info.pid, index);
      if (index < steps.length) this.nextStep = index + 1;
      tree.assign(info.pid, { phase, package: steps[index]?.package });
      return;
    }
    if (tree.attributionOf(info.pid).package !== undefined || info.cwd === undefined) return;
    const build = PIP_BUILD_DIR.exec(info.cwd);
    if (build?.[1]) {
      tree.assign(info.pid, { phase, package: normalizeName(build[1]) });
      return;
    }
    if (PIP_URL_BUILD_DIR.test(info.cwd)) tree.assign(info.pid, { phase, package: this.options.urlBuildPackage });
  };

  /**
   * Called for every event after the tree has attributed it. A worker (a direct child of a step's
   * process) touching a start token of that step assigns it to the token's package, once per
   * worker and once per token; its own unit's other tokens are returned for the caller to note,
   * and its exit before its `done` token as `incomplete`. Tokens touched by anyone else, a
   * worker's children included, change nothing. The tokens are random and reach the step only
   * through its stdin pipe, after start-up: code that runs at start-up (.pth lines) could only
   * learn them by reading that pipe first, the program file in the lib dir, or the step's memory
   * later from a thread (a residual gap, see the README's security model).
   */
  onEvent(event: TraceEvent, tree: ProcessTree): StepNote | undefined {
    if (event.kind === "exit") {
      const name = this.started.get(event.pid);
      return name !== undefined && !this.done.has(event.pid) ? { kind: "incomplete", package: name } : undefined;
    }
    if (event.kind !== "open" && event.kind !== "stat") return undefined;
    const parent = tree.parentOf(event.pid);
    const index = parent === undefined ? undefined : this.stepOf.get(parent);
    if (index === undefined) return undefined;
    const token = this.options.steps[index]?.tokens?.get(event.path);
    if (token === undefined) return undefined;
    if (token.kind === "start") {
      if (this.started.has(event.pid) || this.claimed.has(event.path)) return undefined;
      this.started.set(event.pid, token.package);
      this.claimed.add(event.path);
      tree.assign(event.pid, { phase: this.options.phase, package: token.package });
      return undefined;
    }
    if (this.started.get(event.pid) !== token.package) return undefined;
    if (token.kind === "done") {
      this.done.add(event.pid);
      return undefined;
    }
    return { kind: token.kind, package: token.package, detail: token.detail };
  }
}
