import type { Matcher } from "../match/matcher.ts";
import { TraceMonitor } from "../match/monitor.ts";
import type { Finding } from "../core/finding.ts";
import type { AttributedEvent, Attribution, FileEvent, TraceEvent } from "../trace/events.ts";
import type { Phase } from "../core/phase.ts";
import { exerciseCut, importFailed } from "../plugins/builtin/exercise-coverage.ts";
import { artifactTampering, lingeringProcess } from "../plugins/builtin/sandbox-integrity.ts";
import { AttributionPolicy, type AttributionPolicyOptions, type StepNote } from "./attribution.ts";

export interface PhaseTraceOptions extends AttributionPolicyOptions {
  phase: Phase;
  matcher: Matcher;
  /** Initial working directory of the sandbox's first process. */
  cwd: string;
  /** Every raw line, for `-t FILE`. */
  rawSink?: (line: string) => void;
  /** Every finding the trace accepts, in order; the event stream stops the sandbox on the first blocking one. */
  onFinding: (finding: Finding) => void;
  /** Findings to drop before they count (rule packs' `exceptions:` by rule id). */
  excepted?: (finding: Finding) => boolean;
  /** Each strace line the parser could not read. */
  onTraceProblem?: (line: string) => void;
  /** A package's process still alive after the supervisor's grace period, before its finding. */
  onLingering?: (lingering: { package: string; argv: string[] }) => void;
  graceSeconds: number;
  /**
   * The in-sandbox egress forwarder. A package's connection to it is left to the egress proxy,
   * which sees the real destination and reports the finding with it.
   */
  forwarder?: { address: string; port: number };
  /**
   * Directories only pip may change in this phase (the downloaded artifacts while pip writes
   * them): a package's write, rename, link or removal there would swap what gets scanned,
   * installed and locked.
   */
  protectedDirs?: readonly string[];
  /** Sees every attributed event as soon as it is parsed, before the rules match it. */
  onEvent?: (attributed: AttributedEvent) => void;
}

const WRITE_FLAGS = new Set(["O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC", "O_APPEND"]);
const CHANGING_KINDS = new Set(["unlink", "rename", "link", "chmod", "mkdir", "write"]);

function changesFile(event: TraceEvent): event is FileEvent {
  if (event.kind === "open") return event.flags.some((flag) => WRITE_FLAGS.has(flag));
  return CHANGING_KINDS.has(event.kind);
}

/**
 * One phase's trace: the trace monitor (strace line → typed event → process-tree attribution →
 * rule matcher) with the sandbox's attribution policy, the first blocking finding stopping the
 * phase, and a report of processes of a package still alive when the supervisor finished its
 * grace period (they are killed with the sandbox right after).
 */
export class PhaseTrace {
  readonly findings: Finding[] = [];
  private readonly monitor: TraceMonitor;
  private readonly policy: AttributionPolicy;
  private blocked = false;
  private readonly failedImports = new Map<string, string[]>();

  constructor(private readonly options: PhaseTraceOptions) {
    this.policy = new AttributionPolicy(options);
    this.monitor = new TraceMonitor({
      phase: options.phase,
      rules: options.matcher,
      onExec: this.policy.onExec,
      onEvent: this.observe,
      onFinding: (finding) => this.report(finding),
      parser: { initialCwd: options.cwd, onProblem: options.onTraceProblem },
    });
  }

  get isBlocked(): boolean {
    return this.blocked;
  }

  readonly line = (raw: string): void => {
    this.options.rawSink?.(raw);
    if (!this.blocked) this.monitor.line(raw);
  };

  /** End of the trace: events still held for unknown parents are matched too. */
  finish(): void {
    if (!this.blocked) this.monitor.end();
    if (!this.blocked) this.reportFailedImports();
  }

  /** Every attributed event, before it is matched. */
  private readonly observe = (attributed: AttributedEvent): void => {
    if (this.blocked) return;
    const { event } = attributed;
    const note = this.policy.onEvent(event, this.monitor.tree);
    if (note) this.noteStep(note, attributed.attribution);
    if (event.kind === "exit" && event.pid === this.policy.supervisor) this.reportLingering(event.pid);
    if (this.options.protectedDirs && changesFile(event)) this.checkProtected(event, attributed.attribution);
    this.options.onEvent?.(attributed);
  };

  private checkProtected(event: FileEvent, attribution: Attribution): void {
    if (attribution.package === undefined) return;
    const inside = (path: string | undefined) => path !== undefined && this.options.protectedDirs?.some((dir) => path === dir || path.startsWith(`${dir}/`));
    const path = [event.path, event.target].find(inside);
    if (path === undefined) return;
    this.report(artifactTampering({ package: attribution.package, phase: this.options.phase, path, syscall: event.syscall, argv: attribution.argv }));
  }

  /** An exercise unit's note: its time budget ran out, one of its modules did not import, or it ended early. */
  private noteStep(note: StepNote, attribution: Attribution): void {
    if (note.kind === "failed") {
      const failed = this.failedImports.get(note.package) ?? [];
      failed.push(note.detail ?? "?");
      this.failedImports.set(note.package, failed);
      return;
    }
    this.report(exerciseCut({ how: note.kind === "budget" ? "budget" : "ended", package: note.package, phase: this.options.phase, argv: attribution.argv }));
  }

  /** One info note per distribution whose modules did not all import (missing optional dependencies, mostly). */
  private reportFailedImports(): void {
    for (const [name, modules] of this.failedImports) {
      this.report(importFailed({ package: name, phase: this.options.phase, modules }));
    }
  }

  /** The process tree's blame for a host pid (for findings made outside the trace). */
  attributionOf(pid: number): Attribution {
    return this.monitor.tree.attributionOf(pid);
  }

  /** Adds a finding; the first blocking one stops the phase. */
  report(finding: Finding): void {
    if (this.blocked || this.isForwarderConnection(finding) || this.options.excepted?.(finding)) return;
    this.findings.push(finding);
    if (finding.severity === "block") this.blocked = true;
    this.options.onFinding(finding);
  }

  private isForwarderConnection(finding: Finding): boolean {
    const forwarder = this.options.forwarder;
    const { subject } = finding;
    return forwarder !== undefined && subject.kind === "connection" && subject.address === forwarder.address && subject.port === forwarder.port;
  }

  /** One finding per package: its threads are traced as pids of their own, and one is enough to say it. */
  private reportLingering(supervisorPid: number): void {
    const reported = new Set<string>();
    for (const pid of this.monitor.tree.liveDescendants(supervisorPid)) {
      if (pid === supervisorPid) continue;
      const attribution = this.monitor.tree.attributionOf(pid);
      if (attribution.package === undefined || reported.has(attribution.package)) continue;
      reported.add(attribution.package);
      this.options.onLingering?.({ package: attribution.package, argv: attribution.argv });
      this.report(lingeringProcess({ package: attribution.package, phase: this.options.phase, argv: attribution.argv, graceSeconds: this.options.graceSeconds }));
    }
  }
}
