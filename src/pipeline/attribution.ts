import { normalizeName } from "../core/names.ts";
import type { Phase, TraceEvent } from "../trace/events.ts";
import type { ExecInfo, ProcessTree } from "../trace/process-tree.ts";

/** A supervisor step and whom everything it starts is blamed on. */
export interface StepAssignment {
  argv: readonly string[];
  package: string | undefined;
  /**
   * For a step that forks workers (the import driver): marker file → package. A direct child of
   * the step's process that opens a marker belongs, from then on, to that package.
   */
  markers?: ReadonlyMap<string, string | undefined>;
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
 * re-blamed on another (a payload cannot chdir into another sdist's dir to shift the blame).
 */
export class AttributionPolicy {
  private supervisorPid: number | undefined;
  /** Pids of steps that fork marker-named workers, with their markers. */
  private readonly markerParents = new Map<number, ReadonlyMap<string, string | undefined>>();
  private readonly markedWorkers = new Set<number>();

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
    if (info.parentPid === this.supervisorPid) {
      const step = this.options.steps.find((candidate) => sameArgv(candidate.argv, info.argv));
      tree.assign(info.pid, { phase, package: step?.package });
      if (step?.markers) this.markerParents.set(info.pid, step.markers);
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
   * Called for every event after the tree has attributed it: a worker's first marker open (the
   * worker is a direct child of a marker step and opens the marker before any package code runs)
   * assigns it. Later marker opens by the same pid, or opens by anyone else, change nothing.
   */
  onEvent(event: TraceEvent, tree: ProcessTree): void {
    if (event.kind !== "open" || event.ret === undefined || event.ret < 0 || this.markedWorkers.has(event.pid)) return;
    const parent = tree.parentOf(event.pid);
    const markers = parent === undefined ? undefined : this.markerParents.get(parent);
    if (!markers?.has(event.path)) return;
    this.markedWorkers.add(event.pid);
    tree.assign(event.pid, { phase: this.options.phase, package: markers.get(event.path) });
  }
}
