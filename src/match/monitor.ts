import type { Finding } from "../core/finding.ts";
import type { DynamicRule } from "../rules/types.ts";
import type { AttributedEvent } from "../trace/events.ts";
import type { Phase } from "../core/phase.ts";
import { type ParserOptions, StraceParser } from "../trace/parser.ts";
import { type ExecInfo, ProcessTree } from "../trace/process-tree.ts";
import { type Matcher, compileRules } from "./matcher.ts";

export interface TraceMonitorOptions {
  /** Attribution of processes below no assigned root. */
  phase: Phase;
  /** Compiled rules (compile once, share across phases) or the rules to compile with `home`. */
  rules: Matcher | { rules: readonly DynamicRule[]; home: string };
  /** Sees each successful exec before it is attributed: assign pip's build subprocesses here. */
  onExec?: (info: ExecInfo, tree: ProcessTree) => void;
  /** Every finding, blocking ones of an event first. The sandbox kills on the first `block`. */
  onFinding: (finding: Finding, event: AttributedEvent) => void;
  /** Every attributed event, in order: the stream plugins receive. */
  onEvent?: (event: AttributedEvent) => void;
  parser?: ParserOptions;
}

/**
 * The whole trace pipeline for one strace output stream: text chunks in (split into lines here,
 * a partial last line kept for the next chunk), parser → process tree → matcher, callbacks out.
 */
export class TraceMonitor {
  readonly parser: StraceParser;
  readonly tree: ProcessTree;
  readonly matcher: Matcher;
  private partial = "";
  private readonly sink: (event: AttributedEvent) => void;

  constructor(options: TraceMonitorOptions) {
    this.parser = new StraceParser(options.parser);
    this.tree = new ProcessTree({ phase: options.phase, onExec: options.onExec });
    const rules = options.rules;
    this.matcher = "match" in rules ? rules : compileRules(rules.rules, { home: rules.home });
    const { onFinding, onEvent } = options;
    const matcher = this.matcher;
    this.sink = (event) => {
      onEvent?.(event);
      const findings = matcher.match(event);
      for (const finding of findings) onFinding(finding, event);
    };
  }

  /** Feeds a chunk of strace output; lines may be split anywhere between chunks. */
  write(chunk: string): void {
    let start = 0;
    let newline = chunk.indexOf("\n");
    if (newline === -1) {
      this.partial += chunk;
      return;
    }
    if (this.partial !== "") {
      this.line(this.partial + chunk.slice(0, newline));
      this.partial = "";
      start = newline + 1;
      newline = chunk.indexOf("\n", start);
    }
    while (newline !== -1) {
      if (newline > start) this.line(chunk.slice(start, newline));
      start = newline + 1;
      newline = chunk.indexOf("\n", start);
    }
    this.partial = chunk.slice(start);
  }

  /** Feeds one complete line (without its newline). */
  line(text: string): void {
    const event = this.parser.parse(text);
    if (event !== undefined) this.tree.feed(event, this.sink);
  }

  /** End of the stream: the last partial line and every event still held by the tree. */
  end(): void {
    if (this.partial !== "") this.line(this.partial);
    this.partial = "";
    this.tree.flush(this.sink);
  }
}
