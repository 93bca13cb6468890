import type { Severity } from "../core/severity.ts";
import type { EventKind } from "../trace/events.ts";
import type { Phase } from "../core/phase.ts";
import type { StaticMatch } from "./static-schema.ts";


/** Where a rule came from, for validation errors and reports. */
export interface RuleSource {
  file: string;
  pack: string;
  /** Line of the rule in its file. */
  line: number;
}

/**
 * Conditions on one traced event. Every field that is set must match (AND); within a list any
 * entry may match (OR). Path globs use `~` for the decoy home, `*` within a segment, `**` across.
 */
export interface DynamicCondition {
  events: EventKind[];
  phases: Phase[] | undefined;
  /**
   * Path globs (see src/core/glob.ts and src/core/path-glob.ts). File events match on their path or, for rename/link, on
   * the destination; exec events on the executed path.
   */
  paths: string[] | undefined;
  /**
   * Path globs carved out of `paths`: a path matching one of these does not count, so the home with
   * the cache folders carved out is "anywhere in the home but a cache folder". Checked on each
   * path of the event separately (a rename out of a cache folder still matches on its destination).
   */
  notPaths: string[] | undefined;
  /**
   * Only open calls whose flags include one of these (e.g. O_WRONLY, O_RDWR, O_CREAT). Events of
   * other kinds listed in the same rule (rename, link, …) are not constrained by flags.
   */
  flags: string[] | undefined;
  /** Socket families: inet, inet6, unix, netlink, other. */
  families: string[] | undefined;
  /** CIDR blocks or exact IPv4/IPv6 addresses, or unix socket path globs (`/…`, `@…`). */
  addresses: string[] | undefined;
  ports: number[] | undefined;
  /** Globs over the basename of the executed program (the exec path or argv[0]). */
  programs: string[] | undefined;
  /** Globs over the argv joined with single spaces. */
  argv: string[] | undefined;
  /** Globs over the syscall's name (`openat`, `ptrace`; `i386:open` for another ABI's call). */
  syscalls: string[] | undefined;
  /** Only events attributed to a package (not to pip or pipcanary itself). */
  packageOnly: boolean;
}

/**
 * Conditions on static facts extracted from a package's files: one variant per fact kind, defined
 * and validated in static-schema.ts.
 */
export type StaticCondition = StaticMatch;

/** An exception: when every set field matches, the finding is dropped. */
export interface RuleException {
  phases: Phase[] | undefined;
  paths: string[] | undefined;
  packages: string[] | undefined;
  programs: string[] | undefined;
  /** Globs over the file path inside the archive (static rules). */
  files: string[] | undefined;
  /**
   * true: only events attributed to no package (pip's or pipcanary's own processes);
   * false: only events attributed to a package. Unset: either.
   */
  unattributed?: boolean | undefined;
  /** Free text: why this exception exists. */
  reason: string;
}

interface RuleBase {
  id: string;
  description: string;
  explanation: string;
  severity: Severity;
  except: RuleException[];
  source: RuleSource;
}

export interface DynamicRule extends RuleBase {
  type: "dynamic";
  match: DynamicCondition;
}

export interface StaticRule extends RuleBase {
  type: "static";
  match: StaticCondition;
}

export type Rule = DynamicRule | StaticRule;

/** A pack's exception to a rule it does not define (another pack's, or a plugin's), by rule id. */
export interface RuleIdException extends RuleException {
  rule: string;
}

export interface RulePack {
  name: string;
  /** Semver of the rule-pack API this pack was written for. */
  api: string;
  source: string;
  rules: Rule[];
  /** `exceptions:` to rules by id (src/plugins/exceptions.ts applies them). */
  exceptions?: RuleIdException[];
}
