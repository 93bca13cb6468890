/**
 * The scan's one event stream. The sandbox phases, the egress proxy, the static stage and the
 * audit publish here; the rule matcher's findings, plugins, progress and reporters subscribe.
 * It also owns the one decision to stop a sandbox: the first blocking finding of a running
 * phase stops it, whoever reported the finding (a rule, a built-in detection or a plugin).
 */
import type { AuditReport } from "../audit/index.ts";
import type { Artifact } from "../core/artifact.ts";
import type { Finding } from "../core/finding.ts";
import type { Phase } from "../core/phase.ts";
import type { EgressAttempt } from "../fetch/egress-proxy.ts";
import type { AttributedEvent } from "../trace/events.ts";

/** The stages of a scan in product order. */
export type Stage = "names" | "fetch" | "static" | "install" | "import" | "audit" | "lock" | "report";

/** A request that reached the egress proxy, with the process tree's blame for its sender. */
export interface EgressEvent {
  attempt: EgressAttempt;
  phase: Phase;
  /** Normalised distribution name; undefined for pip's own requests, or when the sender is unknown. */
  package: string | undefined;
  argv: string[] | undefined;
}

/** What the static scan found in one archive. */
export interface StaticFactsEvent {
  artifact: Artifact;
  findings: readonly Finding[];
}

export interface LingeringProcessEvent {
  phase: Phase;
  package: string;
  argv: string[];
}

/** A line strace printed that the parser could not read: never dropped silently. */
export interface TraceProblemEvent {
  phase: Phase;
  line: string;
}

/**
 * One item of a stage's work (a package, an archive) starts or ends: what progress displays
 * count. `index` is the item's 0-based position, `total` how many the stage has.
 */
export interface ItemEvent {
  stage: Stage;
  name: string;
  index: number;
  total: number;
}

export interface ScanEventMap {
  "stage-start": { stage: Stage };
  "stage-end": { stage: Stage };
  progress: { message: string };
  "item-start": ItemEvent;
  "item-end": ItemEvent;
  artifact: Artifact;
  "static-facts": StaticFactsEvent;
  syscall: AttributedEvent;
  egress: EgressEvent;
  "lingering-process": LingeringProcessEvent;
  "trace-problem": TraceProblemEvent;
  finding: Finding;
  "audit-result": AuditReport;
}

export type ScanEventType = keyof ScanEventMap;
type Handler<K extends ScanEventType> = (event: ScanEventMap[K]) => void;
type HandlerLists = { [K in ScanEventType]?: Handler<K>[] };

/** What a running phase gives the stream: where its findings go and how it is stopped. */
export interface RunningPhase {
  phase: Phase;
  /** Adds a finding to the phase's trace (which publishes it back here as `finding`). */
  report: (finding: Finding) => void;
  stop: () => void;
}

export class EventStream {
  private readonly handlers: HandlerLists = {};
  private running: RunningPhase | undefined;
  private stopped = false;
  /** The first error a subscriber threw; the phase is stopped and the run fails with it. */
  failure: unknown;
  /** Findings rule packs' `exceptions:` drop before they are reported (src/plugins/exceptions.ts). */
  excepted: (finding: Finding) => boolean = () => false;

  on<K extends ScanEventType>(type: K, handler: Handler<K>): () => void {
    const list: Handler<K>[] = (this.handlers[type] as Handler<K>[] | undefined) ?? [];
    (this.handlers as Record<K, Handler<K>[]>)[type] = list;
    list.push(handler);
    return () => {
      const at = list.indexOf(handler);
      if (at >= 0) list.splice(at, 1);
    };
  }

  publish<K extends ScanEventType>(type: K, event: ScanEventMap[K]): void {
    const list = this.handlers[type] as Handler<K>[] | undefined;
    if (list) {
      for (const handler of [...list]) {
        try {
          handler(event);
        } catch (error) {
          this.fail(error);
        }
      }
    }
    if (type === "finding" && (event as Finding).severity === "block") this.stopRunning();
  }

  /** A subscriber failed: the run cannot be trusted, so the phase stops and the run fails with the error. */
  fail(error: unknown): void {
    this.failure ??= error;
    this.stopRunning();
  }

  /** Throws the first subscriber error, if any. */
  throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  progress(message: string): void {
    this.publish("progress", { message });
  }

  /** A phase starts: findings reported from outside its trace (the egress proxy, plugins) join it. */
  enter(phase: RunningPhase): void {
    this.running = phase;
    this.stopped = false;
    if (this.failure !== undefined) this.stopRunning();
  }

  leave(): void {
    this.running = undefined;
  }

  get phase(): Phase | undefined {
    return this.running?.phase;
  }

  /**
   * A finding from outside the trace: into the running phase (and its first blocking finding
   * stops it), or straight onto the stream between phases. Returns false when no phase runs.
   */
  report(finding: Finding): boolean {
    if (!this.running) return false;
    this.running.report(finding);
    return true;
  }

  private stopRunning(): void {
    if (!this.running || this.stopped) return;
    this.stopped = true;
    this.running.stop();
  }
}
