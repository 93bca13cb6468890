import type { Origin } from "../core/errors.ts";

/** PEP 508 marker expression tree. */
export type MarkerNode =
  | { type: "and" | "or"; left: MarkerNode; right: MarkerNode }
  | { type: "compare"; left: MarkerValue; op: MarkerOp; right: MarkerValue };

export type MarkerValue = { type: "variable"; name: MarkerVariable } | { type: "literal"; value: string };

export type MarkerOp = "<" | "<=" | "!=" | "==" | ">=" | ">" | "~=" | "===" | "in" | "not in";

export type MarkerVariable =
  | "python_version"
  | "python_full_version"
  | "os_name"
  | "sys_platform"
  | "platform_release"
  | "platform_system"
  | "platform_version"
  | "platform_machine"
  | "platform_python_implementation"
  | "implementation_name"
  | "implementation_version"
  | "extra";

/** The target interpreter's marker environment, asked of the host python3 once per run. */
export type TargetEnvironment = Record<Exclude<MarkerVariable, "extra">, string>;

/** One PEP 508 requirement with where it came from. */
export interface Requirement {
  /** The name as written. */
  name: string;
  /** PEP 503 normalised name. */
  normalizedName: string;
  extras: string[];
  /** PEP 440 specifier set as written (normalised whitespace), "" for any version. */
  specifier: string;
  /** Direct URL reference (`name @ url`). */
  url: string | undefined;
  marker: MarkerNode | undefined;
  /** The marker as text, for display. */
  markerText: string | undefined;
  /** `algorithm:hexdigest` from `--hash` options. */
  hashes: string[];
  origin: Origin;
  /** True for `-c` constraint lines: they narrow versions but select nothing. */
  constraint: boolean;
}

/** Index options that requirement files may set (pip honours them; so do we). */
export interface IndexOptions {
  indexUrl: string | undefined;
  extraIndexUrls: string[];
  findLinks: string[];
  pre: boolean;
  /** Normalised names, or [":all:"]. */
  onlyBinary: string[];
  /** `--no-index`: only the find-links locations are used. */
  noIndex?: boolean;
  /** `--prefer-binary`. */
  preferBinary?: boolean;
}

/** Everything the inputs stage hands to the next stage. */
export interface RequirementSet {
  requirements: Requirement[];
  index: IndexOptions;
}
