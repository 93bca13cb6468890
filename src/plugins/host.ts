/**
 * Runs plugins' hooks for one scan: subscribed to the event stream for the trace, the egress
 * proxy and findings; called by the orchestrator for the requirement set, archives and static results. A hook that
 * throws, or reports a rule id its plugin did not declare, fails the scan with the plugin named
 * (fail closed: a check that did not run must not pass as clean).
 */
import type { Artifact } from "../core/artifact.ts";
import { InputError, ScanFailedError } from "../core/errors.ts";
import type { Finding } from "../core/finding.ts";
import type { Phase } from "../core/phase.ts";
import type { Requirement } from "../core/requirements.ts";
import type { EventStream, StaticFactsEvent } from "../events/stream.ts";
import type { HookResult, Plugin, PluginFinding, PluginRule } from "./api.ts";

export class PluginFailedError extends ScanFailedError {
  constructor(plugin: string, hook: string, cause: unknown) {
    const text = cause instanceof Error ? cause.message : String(cause);
    super(`plugin ${plugin} failed in ${hook}: ${text.split("\n")[0] ?? text}`, `fix the plugin, or run without it (drop --plugin for ${plugin})`);
    this.name = "PluginFailedError";
  }
}

/** Two plugins (a rule pack's engine among them), or a plugin and itself, claiming one rule id: findings must name one source. */
export function checkRuleIds(plugins: readonly Plugin[]): void {
  const owners = new Map<string, string>();
  for (const plugin of plugins) {
    for (const rule of plugin.rules) {
      const owner = owners.get(rule.id);
      if (owner !== undefined) throw new InputError(`rule id ${rule.id} is declared by plugin ${owner} and by plugin ${plugin.name}`, undefined, "give each plugin rule its own id");
      owners.set(rule.id, plugin.name);
    }
  }
}

export class PluginHost {
  constructor(private readonly plugins: readonly Plugin[]) {
    checkRuleIds(plugins);
  }

  async setup(): Promise<void> {
    for (const plugin of this.plugins) {
      if (plugin.setup) await this.call(plugin, "setup", () => plugin.setup?.({ env: process.env }));
    }
  }

  /** Live hooks: the trace's system calls, egress attempts and every finding. */
  attach(events: EventStream): void {
    const report = (plugin: Plugin, phase: Phase, hook: HookKind, result: HookResult) => {
      for (const finding of this.findings(plugin, phase, hook, result)) events.report(finding);
    };
    for (const plugin of this.plugins) {
      const { onSyscall, onEgress, onFinding } = plugin;
      if (onSyscall) events.on("syscall", (event) => report(plugin, event.attribution.phase, "trace", this.callSync(plugin, "onSyscall", () => onSyscall(event))));
      if (onEgress) events.on("egress", (egress) => report(plugin, egress.phase, "egress", this.callSync(plugin, "onEgress", () => onEgress(egress))));
      if (onFinding) events.on("finding", (finding) => this.callSync(plugin, "onFinding", () => onFinding(finding)));
    }
  }

  /** onRequirements of every plugin, before anything is fetched (the names stage). */
  async requirements(requirements: readonly Requirement[]): Promise<Finding[]> {
    const found: Finding[] = [];
    for (const plugin of this.plugins) {
      const { onRequirements } = plugin;
      if (!onRequirements) continue;
      const result = await this.call(plugin, "onRequirements", () => onRequirements(requirements));
      found.push(...this.findings(plugin, "static", "requirements", result));
    }
    return found;
  }

  /** onArtifact of every plugin for every archive, before the static scan. */
  async artifacts(artifacts: readonly Artifact[]): Promise<Finding[]> {
    const found: Finding[] = [];
    for (const plugin of this.plugins) {
      const { onArtifact } = plugin;
      if (!onArtifact) continue;
      for (const artifact of artifacts) {
        const result = await this.call(plugin, "onArtifact", () => onArtifact(artifact));
        found.push(...this.findings(plugin, "static", "archive", result, artifact));
      }
    }
    return found;
  }

  /** onFacts of every plugin, with what the static scan found in one archive. */
  async facts(facts: StaticFactsEvent): Promise<Finding[]> {
    const found: Finding[] = [];
    for (const plugin of this.plugins) {
      const { onFacts } = plugin;
      if (!onFacts) continue;
      const result = await this.call(plugin, "onFacts", () => onFacts(facts));
      found.push(...this.findings(plugin, "static", "archive", result, facts.artifact));
    }
    return found;
  }

  private findings(plugin: Plugin, phase: Phase, hook: HookKind, result: HookResult, artifact?: Artifact): Finding[] {
    if (result === undefined) return [];
    if (!Array.isArray(result)) throw new PluginFailedError(plugin.name, "a hook", "it returned something other than a list of findings");
    return result.map((finding) => toFinding(plugin, phase, finding, hook, artifact));
  }

  private async call<T>(plugin: Plugin, hook: string, run: () => T | Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw error instanceof PluginFailedError ? error : new PluginFailedError(plugin.name, hook, error);
    }
  }

  private callSync<T>(plugin: Plugin, hook: string, run: () => T): T {
    try {
      return run();
    } catch (error) {
      throw error instanceof PluginFailedError ? error : new PluginFailedError(plugin.name, hook, error);
    }
  }
}

/** Which hook a finding came from decides whether a connection is egress (the fetch proxy's) or traced. */
type HookKind = "trace" | "egress" | "archive" | "requirements";

function toFinding(plugin: Plugin, phase: Phase, finding: PluginFinding, hook: HookKind, artifact: Artifact | undefined): Finding {
  const rule: PluginRule | undefined = plugin.rules.find((candidate) => candidate.id === finding.ruleId);
  if (!rule) throw new PluginFailedError(plugin.name, "a hook", `it reported rule id ${String(finding.ruleId)}, which it does not declare in rules`);
  const base = {
    ruleId: rule.id,
    severity: finding.severity ?? rule.severity,
    description: finding.description ?? rule.description,
    explanation: finding.explanation ?? rule.explanation,
    package: finding.package,
    phase,
  };
  const subject = finding.subject;
  switch (subject.kind) {
    case "code":
    case "archive": {
      const artifactSha256 = finding.artifactSha256 ?? artifact?.sha256;
      if (artifactSha256 === undefined) throw new PluginFailedError(plugin.name, "a hook", `its ${subject.kind} finding names no archive (artifactSha256)`);
      return { ...base, source: "static", subject, artifactSha256 };
    }
    case "name":
      return { ...base, source: "name", subject };
    case "known-malware":
      return { ...base, source: "audit", subject };
    case "connection":
      if (hook === "egress") return { ...base, source: "egress", subject, argv: finding.argv };
      return { ...base, source: "behavioural", subject, syscall: finding.syscall, argv: finding.argv ?? [] };
    default:
      return { ...base, source: "behavioural", subject, syscall: finding.syscall, argv: finding.argv ?? [] };
  }
}
