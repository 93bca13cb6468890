/**
 * Progress of long work on stderr. On a terminal: one status line, redrawn in place, with each
 * running phase (the static scan and the wheels' install run side by side), items done of the
 * total, the item being worked on, the elapsed time and what the run waits for. Without a terminal (CI logs), where a redrawn line would be noise: a line when a
 * phase starts, when its first item starts and when it ends and, in between, one at least every
 * `heartbeatMs` (10 s) naming the phase, the count done and the item being worked on, so that a
 * log never goes quiet.
 *
 * Hand-written ANSI rather than a progress-bar library: the display is a single line that log
 * lines must be able to clear and redraw around (see StatusLine in src/cli/output.ts); the
 * libraries that fit a compiled binary own the terminal with their own render loop instead.
 */
import type { EventStream, Stage } from "../events/stream.ts";

export type ProgressPhase = "names" | "fetch" | "static" | "install" | "import" | "audit";

/** What the scan reports as it goes; followScanEvents feeds it the orchestrator's event stream. */
export interface ProgressReporter {
  phaseStarted(phase: ProgressPhase, total: number | undefined): void;
  /** `total`: how many items the phase has, when the phase did not say at its start. */
  itemStarted(phase: ProgressPhase, name: string, total?: number): void;
  itemDone(phase: ProgressPhase, name: string, total?: number): void;
  phaseEnded(phase: ProgressPhase): void;
  /** Something slow is being waited for (a slow index); cleared by the next item or phase. */
  waiting(what: string): void;
  /** A free-text progress line. */
  note(message: string): void;
  /** Stops the timers and clears the status line; safe to call twice. */
  close(): void;
}

export interface ProgressStream {
  write(text: string): unknown;
}

export interface ProgressOptions {
  stream: ProgressStream;
  /** A terminal gets the redrawn line; anything else the periodic lines. */
  isTTY: boolean;
  /** Milliseconds; injectable for tests. */
  now?: () => number;
  heartbeatMs?: number;
  /** Starts a repeating timer and returns its stop function; injectable for tests. */
  every?: (ms: number, tick: () => void) => () => void;
  /** Called once, by the first close(). */
  onClose?: () => void;
}

export const HEARTBEAT_MS = 10_000;
/** A terminal's line is redrawn this often so that the elapsed time moves. */
const REDRAW_MS = 1_000;
const CLEAR_LINE = "\r\u001b[2K";

interface PhaseState {
  phase: ProgressPhase;
  total: number | undefined;
  /** Whether item events come for this phase: without them a count of 0 would mislead. */
  counted: boolean;
  done: number;
  current: string[];
  startedAt: number;
}

function realTimer(ms: number, tick: () => void): () => void {
  const timer = setInterval(tick, ms);
  timer.unref?.();
  return () => clearInterval(timer);
}

function seconds(ms: number): string {
  const total = Math.floor(ms / 1000);
  return total >= 60 ? `${Math.floor(total / 60)}m${String(total % 60).padStart(2, "0")}s` : `${total}s`;
}

export class StderrProgress implements ProgressReporter {
  /** The running phases, in the order they started. */
  private readonly states = new Map<ProgressPhase, PhaseState>();
  /** Items a phase finished before it started (the audit's lookups run while the sandbox works). */
  private readonly early = new Map<ProgressPhase, { done: number; total: number | undefined }>();
  private waitingFor: string | undefined;
  private drawn = false;
  private closed = false;
  private stopTimer: (() => void) | undefined;
  private readonly now: () => number;
  private readonly every: (ms: number, tick: () => void) => () => void;

  constructor(private readonly options: ProgressOptions) {
    this.now = options.now ?? Date.now;
    this.every = options.every ?? realTimer;
  }

  phaseStarted(phase: ProgressPhase, total: number | undefined): void {
    if (this.states.has(phase)) this.phaseEnded(phase);
    const early = this.early.get(phase);
    this.early.delete(phase);
    this.states.set(phase, { phase, total: total ?? early?.total, counted: early !== undefined, done: early?.done ?? 0, current: [], startedAt: this.now() });
    this.waitingFor = undefined;
    if (!this.options.isTTY) this.line(`${phase}: started${total === undefined ? "" : ` (${total} to do)`}`);
    this.stopTimer ??= this.every(this.options.isTTY ? REDRAW_MS : (this.options.heartbeatMs ?? HEARTBEAT_MS), () => this.tick());
    this.redraw();
  }

  itemStarted(phase: ProgressPhase, name: string, total?: number): void {
    const state = this.stateOf(phase);
    if (!state) return;
    state.counted = true;
    state.total ??= total;
    state.current.push(name);
    this.waitingFor = undefined;
    // A CI log names the phase's first package at once: a short phase may end before any heartbeat.
    if (!this.options.isTTY && state.done === 0 && state.current.length === 1) this.line(this.statusOf(state));
    this.redraw();
  }

  itemDone(phase: ProgressPhase, name: string, total?: number): void {
    const state = this.stateOf(phase);
    if (!state) {
      const early = this.early.get(phase) ?? { done: 0, total };
      early.done++;
      this.early.set(phase, early);
      return;
    }
    state.counted = true;
    state.total ??= total;
    const index = state.current.indexOf(name);
    if (index >= 0) state.current.splice(index, 1);
    state.done++;
    this.redraw();
  }

  phaseEnded(phase: ProgressPhase): void {
    const state = this.stateOf(phase);
    if (!state) return;
    this.states.delete(phase);
    if (this.states.size === 0) {
      this.stopTimer?.();
      this.stopTimer = undefined;
      this.waitingFor = undefined;
    }
    this.clear();
    this.line(`${phase}: done${state.counted ? ` (${state.done}${state.total === undefined ? "" : ` of ${state.total}`})` : ""} in ${seconds(this.now() - state.startedAt)}`);
    this.redraw();
  }

  waiting(what: string): void {
    this.waitingFor = what;
    if (this.options.isTTY && this.states.size > 0) this.redraw();
    else this.line(what);
  }

  note(message: string): void {
    this.clear();
    this.line(message);
    this.redraw();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const phase of [...this.states.keys()]) this.phaseEnded(phase);
    this.options.onClose?.();
  }

  /** The status line as it reads now, without control characters: every running phase. */
  status(): string | undefined {
    if (this.states.size === 0) return undefined;
    const waiting = this.waitingFor ? ` (${this.waitingFor})` : "";
    return `${[...this.states.values()].map((state) => this.statusOf(state)).join(" | ")}${waiting}`;
  }

  private statusOf(state: PhaseState): string {
    const count = !state.counted ? (state.total === undefined ? "working" : `${state.total} to do`) : state.total === undefined ? `${state.done} done` : `${state.done}/${state.total}`;
    const current = state.current.length > 0 ? ` ${state.current.join(", ")}` : "";
    return `${state.phase}: ${count}${current}, ${seconds(this.now() - state.startedAt)}`;
  }

  /** Removes the terminal's status line so that another line can be written. */
  clear(): void {
    if (!this.drawn) return;
    this.options.stream.write(CLEAR_LINE);
    this.drawn = false;
  }

  redraw(): void {
    if (!this.options.isTTY) return;
    const status = this.status();
    if (status === undefined) return;
    this.options.stream.write(`${CLEAR_LINE}${status}`);
    this.drawn = true;
  }

  private tick(): void {
    if (this.options.isTTY) this.redraw();
    else for (const state of this.states.values()) this.line(`${this.statusOf(state)}${this.waitingFor ? ` (${this.waitingFor})` : ""}`);
  }

  private stateOf(phase: ProgressPhase): PhaseState | undefined {
    return this.states.get(phase);
  }

  private line(text: string): void {
    this.options.stream.write(`${text}\n`);
  }
}

const PROGRESS_PHASES: ReadonlySet<string> = new Set<ProgressPhase>(["names", "fetch", "static", "install", "import", "audit"]);

function isProgressPhase(stage: Stage): stage is ProgressPhase {
  return PROGRESS_PHASES.has(stage);
}

/**
 * Feeds a scan's stage and item events to a reporter: a stage starts and ends a phase (the
 * lock and report stages are too short to show), an item event counts the package or archive
 * worked on. Returns the function that unsubscribes.
 */
export function followScanEvents(reporter: ProgressReporter, events: EventStream): () => void {
  const unsubscribe = [
    events.on("stage-start", ({ stage }) => isProgressPhase(stage) && reporter.phaseStarted(stage, undefined)),
    events.on("stage-end", ({ stage }) => isProgressPhase(stage) && reporter.phaseEnded(stage)),
    events.on("item-start", ({ stage, name, total }) => isProgressPhase(stage) && reporter.itemStarted(stage, name, total)),
    events.on("item-end", ({ stage, name, total }) => isProgressPhase(stage) && reporter.itemDone(stage, name, total)),
  ];
  return () => {
    for (const off of unsubscribe) off();
  };
}
