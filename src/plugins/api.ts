/**
 * The plugin API: what a plugin file exports (`export default definePlugin({ … })`) and what
 * its hooks receive. Hooks run in the pipcanary process, never inside the sandbox. Stable API:
 * fields may be added in a minor version, never changed or removed (PLUGIN_API_VERSION).
 */
import type { Artifact } from "../core/artifact.ts";
import type { Finding, FindingSubject } from "../core/finding.ts";
import type { Phase } from "../core/phase.ts";
import type { Requirement } from "../core/requirements.ts";
import type { Severity } from "../core/severity.ts";
import type { EgressEvent, StaticFactsEvent } from "../events/stream.ts";
import type { AttributedEvent } from "../trace/events.ts";

/** The version of this API; a plugin's `api` range must accept it (semver, like rule packs' `api`). */
export const PLUGIN_API_VERSION = "1.1.0";

/** A rule id a plugin may report, declared up front so `pipcanary rules` lists it and packs can except it. */
export interface PluginRule {
  id: string;
  severity: Severity;
  description: string;
  explanation: string;
}

/** A finding a hook returns; the rule's severity, description and explanation apply unless given. */
export interface PluginFinding {
  ruleId: string;
  /** Normalised distribution name; undefined when it is pip's own doing. */
  package: string | undefined;
  subject: FindingSubject;
  severity?: Severity;
  description?: string;
  explanation?: string;
  syscall?: string;
  argv?: string[];
  artifactSha256?: string;
}

/** What a hook may return: findings, or nothing. */
export type HookResult = PluginFinding[] | undefined | void;

export interface SetupContext {
  /** pipcanary's own environment (the host's, never the sandbox's): where a plugin reads its settings. */
  env: Readonly<Record<string, string | undefined>>;
}

export interface Plugin {
  name: string;
  /** Semver range of PLUGIN_API_VERSION the plugin is written for, e.g. "^1.0.0". */
  api: string;
  rules: PluginRule[];
  /** Once, before the scan starts; a throw fails the run with the plugin named. */
  setup?: (context: SetupContext) => void | Promise<void>;
  /**
   * The requirement set as given (constraint lines included, `constraint: true`), before anything
   * is fetched: a blocking finding stops the run before pip resolves or downloads anything. Since 1.1.0.
   */
  onRequirements?: (requirements: readonly Requirement[]) => HookResult | Promise<HookResult>;
  /** Every downloaded archive, before the static scan and before any of its code runs. */
  onArtifact?: (artifact: Artifact) => HookResult | Promise<HookResult>;
  /** What the static scan found in one archive. */
  onFacts?: (facts: StaticFactsEvent) => HookResult | Promise<HookResult>;
  /** Every attributed system call of a sandbox phase, as it is traced; synchronous, it keeps pace with the trace. */
  onSyscall?: (event: AttributedEvent) => HookResult;
  /** Every request the sandbox sent to the egress proxy (fetch phase), allowed or not. */
  onEgress?: (egress: EgressEvent) => HookResult;
  /** Every finding, from rules, built-in detections and plugins alike; observes only. */
  onFinding?: (finding: Finding) => void;
}

/** Types a plugin (an identity function: the object is the plugin). */
export function definePlugin<P extends Plugin>(plugin: P): P {
  return plugin;
}

