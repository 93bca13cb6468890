import type { Matcher } from "../match/matcher.ts";
import type { Finding } from "../report/findings.ts";
import type { AttributedEvent, Attribution, Phase } from "../trace/events.ts";
import { StraceParser } from "../trace/parser.ts";
import { ProcessTree } from "../trace/process-tree.ts";
import { AttributionPolicy, type AttributionPolicyOptions } from "./attribution.ts";

/**
 * In a PID namespace strace prints the child pid a clone returns as the tracee sees it (2, 3, …);
 * with `--decode-pids=pidns` it adds the host pid in a comment, which is the one every line's
 * prefix uses. Only the return value of process-creating calls is rewritten, and only when the
 * comment closes the line (a path string is quoted and cannot end a clone line).
 */
const PIDNS_RETURN = / = (\d+) \/\* (\d+) in strace's PID NS \*\/$/;
const SPAWN_LINE = /^\d+ +(?:<\.\.\. )?(?:clone3?|v?fork)[( ]/;

export function hostPidLine(line: string): string {
  if (!line.endsWith("PID NS */") || !SPAWN_LINE.test(line)) return line;
  return line.replace(PIDNS_RETURN, " = $2");
}

/** Added to the parser's STRACE_ARGS so that clone returns carry host pids (see hostPidLine). */
export const PIDNS_STRACE_ARGS: readonly string[] = ["--decode-pids=pidns"];

export interface PhaseTraceOptions extends AttributionPolicyOptions {
  phase: Phase;
  matcher: Matcher;
  /** Initial working directory of the sandbox's first process. */
  cwd: string;
  /** Every raw line, for `-t FILE`. */
  rawSink?: (line: string) => void;
  /** The first blocking finding: the caller kills the sandbox. */
  onBlock: (finding: Finding) => void;
  graceSeconds: number;
  /**
   * The in-sandbox egress forwarder. A package's connection to it is left to the egress proxy,
   * which sees the real destination and reports the finding with it.
   */
  forwarder?: { address: string; port: number };
}

/**
 * The streaming pipeline of one phase: strace line → typed event → process-tree attribution →
 * rule matcher. Also reports processes of a package that were still alive when the supervisor
 * finished its grace period (they are killed with the sandbox right after).
 */
export class PhaseTrace {
  readonly findings: Finding[] = [];
  private readonly parser: StraceParser;
  private readonly tree: ProcessTree;
  private readonly policy: AttributionPolicy;
  private blocked = false;

  constructor(private readonly options: PhaseTraceOptions) {
    this.parser = new StraceParser({ initialCwd: options.cwd });
    this.policy = new AttributionPolicy(options);
    this.tree = new ProcessTree({ phase: options.phase, onExec: this.policy.onExec });
  }

  get isBlocked(): boolean {
    return this.blocked;
  }

  readonly line = (raw: string): void => {
    this.options.rawSink?.(raw);
    if (this.blocked) return;
    const event = this.parser.parse(hostPidLine(raw));
    if (event) this.tree.feed(event, this.sink);
  };

  /** End of the trace: events still held for unknown parents are matched too. */
  finish(): void {
    if (!this.blocked) this.tree.flush(this.sink);
  }

  private readonly sink = (attributed: AttributedEvent): void => {
    if (this.blocked) return;
    const { event } = attributed;
    this.policy.onEvent(event, this.tree);
    if (event.kind === "exit" && event.pid === this.policy.supervisor) this.reportLingering(event.pid);
    for (const finding of this.options.matcher.match(attributed)) this.report(finding);
  };

  /** The process tree's blame for a host pid (for findings made outside the trace). */
  attributionOf(pid: number): Attribution {
    return this.tree.attributionOf(pid);
  }

  /** Adds a finding; the first blocking one stops the phase. */
  report(finding: Finding): void {
    if (this.blocked || this.isForwarderConnection(finding)) return;
    this.findings.push(finding);
    if (finding.severity === "block") {
      this.blocked = true;
      this.options.onBlock(finding);
    }
  }

  private isForwarderConnection(finding: Finding): boolean {
    const forwarder = this.options.forwarder;
    const { subject } = finding;
    return forwarder !== undefined && subject.kind === "connection" && subject.address === forwarder.address && subject.port === forwarder.port;
  }

  private reportLingering(supervisorPid: number): void {
    for (const pid of this.tree.liveDescendants(supervisorPid)) {
      if (pid === supervisorPid) continue;
      const attribution = this.tree.attributionOf(pid);
      if (attribution.package === undefined) continue;
      this.report({
        ruleId: "lingering-process",
        severity: "warn",
        description: "A process kept running after the package's code had finished.",
        explanation: `It was still alive ${this.options.graceSeconds} s after the ${this.options.phase} phase's commands returned, which is how payloads that wait before they act escape short-lived scans. pipcanary killed it.`,
        package: attribution.package,
        phase: this.options.phase,
        subject: { kind: "process", argv: attribution.argv, detail: `still running after the ${this.options.phase} phase` },
        syscall: undefined,
        argv: attribution.argv,
        artifactSha256: undefined,
      });
    }
  }
}
