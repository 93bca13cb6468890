/**
 * Progress of long work on stderr. On a terminal: one status line, redrawn in place, with the
 * phase, items done of the total, the item being worked on, the elapsed time and what the run
 * waits for. Without a terminal (CI logs), where a redrawn line would be noise: a line when a
 * phase starts and ends and, in between, one at least every `heartbeatMs` (10 s) naming the
 * phase, the count done and the item being worked on, so that a log never goes quiet.
 *
 * Hand-written ANSI rather than a progress-bar library: the display is a single line that log
 * lines must be able to clear and redraw around (see StatusLine in src/cli/output.ts); the
 * libraries that fit a compiled binary own the terminal with their own render loop instead.
 */

export type ProgressPhase = "names" | "fetch" | "static" | "install" | "import" | "audit";

/** What the scan reports as it goes; the orchestrator's event stream calls these. */
export interface ProgressReporter {
  phaseStarted(phase: ProgressPhase, total: number | undefined): void;
  itemStarted(phase: ProgressPhase, name: string): void;
  itemDone(phase: ProgressPhase, name: string): void;
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
  private state: PhaseState | undefined;
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
    if (this.state) this.phaseEnded(this.state.phase);
    this.state = { phase, total, counted: false, done: 0, current: [], startedAt: this.now() };
    this.waitingFor = undefined;
    if (!this.options.isTTY) this.line(`${phase}: started${total === undefined ? "" : ` (${total} to do)`}`);
    this.stopTimer = this.every(this.options.isTTY ? REDRAW_MS : (this.options.heartbeatMs ?? HEARTBEAT_MS), () => this.tick());
    this.redraw();
  }

  itemStarted(phase: ProgressPhase, name: string): void {
    const state = this.stateOf(phase);
    if (!state) return;
    state.counted = true;
    state.current.push(name);
    this.waitingFor = undefined;
    this.redraw();
  }

  itemDone(phase: ProgressPhase, name: string): void {
    const state = this.stateOf(phase);
    if (!state) return;
    state.counted = true;
    const index = state.current.indexOf(name);
    if (index >= 0) state.current.splice(index, 1);
    state.done++;
    this.redraw();
  }

  phaseEnded(phase: ProgressPhase): void {
    const state = this.stateOf(phase);
    if (!state) return;
    this.stopTimer?.();
    this.stopTimer = undefined;
    this.clear();
    this.state = undefined;
    this.waitingFor = undefined;
    this.line(`${phase}: done${state.counted ? ` (${state.done}${state.total === undefined ? "" : ` of ${state.total}`})` : ""} in ${seconds(this.now() - state.startedAt)}`);
  }

  waiting(what: string): void {
    this.waitingFor = what;
    if (this.options.isTTY && this.state) this.redraw();
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
    if (this.state) this.phaseEnded(this.state.phase);
    this.options.onClose?.();
  }

  /** The status line as it reads now, without control characters. */
  status(): string | undefined {
    const state = this.state;
    if (!state) return undefined;
    const count = !state.counted ? (state.total === undefined ? "working" : `${state.total} to do`) : state.total === undefined ? `${state.done} done` : `${state.done}/${state.total}`;
    const current = state.current.length > 0 ? ` ${state.current.join(", ")}` : "";
    const waiting = this.waitingFor ? ` (${this.waitingFor})` : "";
    return `${state.phase}: ${count}${current}, ${seconds(this.now() - state.startedAt)}${waiting}`;
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
    else {
      const status = this.status();
      if (status !== undefined) this.line(status);
    }
  }

  private stateOf(phase: ProgressPhase): PhaseState | undefined {
    return this.state?.phase === phase ? this.state : undefined;
  }

  private line(text: string): void {
    this.options.stream.write(`${text}\n`);
  }
}

/** The pipeline's progress sentences as they are today, each starting a phase with its count. */
const PIPELINE_PHASES: ReadonlyArray<readonly [RegExp, ProgressPhase]> = [
  [/^Downloading (\d+)? ?(?:requirement|the build)/, "fetch"],
  [/^Scanning (\d+) archive/, "static"],
  [/^Installing /, "install"],
  [/^Importing and exercising (\d+)/, "import"],
  [/^Auditing (\d+)/, "audit"],
];

/**
 * Feeds ScanOptions.progress's sentences to a reporter until the scan reports typed events:
 * a sentence that starts a phase ends the previous one and starts it (with the number it names
 * as the total), and is printed as a note too.
 */
export function sentenceProgress(reporter: ProgressReporter): (message: string) => void {
  return (message) => {
    const match = PIPELINE_PHASES.map(([pattern, phase]) => ({ phase, found: pattern.exec(message) })).find((candidate) => candidate.found);
    if (match?.found) reporter.phaseStarted(match.phase, match.found[1] === undefined ? undefined : Number(match.found[1]));
    reporter.note(message);
  };
}
