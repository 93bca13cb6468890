/**
 * Poetry dependency declarations translated into PEP 508 requirement text, with Poetry's version
 * constraints (caret, tilde, wildcard, bare versions, comparison lists) turned into PEP 440.
 */
import { explain } from "@renovatebot/pep440";
import { normalizeSpecifierClause } from "./pep508/specifier.ts";
import { type TomlTable, isTable } from "./toml-file.ts";

/** A declaration that cannot be translated; the caller adds file:line and the dependency name. */
export class PoetryTranslationError extends Error {
  readonly hint: string | undefined;

  constructor(message: string, hint?: string) {
    super(message);
    this.name = "PoetryTranslationError";
    this.hint = hint;
  }
}

/** Poetry constraint → PEP 440 specifier ("" for any version). */
export function translatePoetryConstraint(constraint: string): string {
  if (constraint.includes("||")) {
    throw new PoetryTranslationError(`'${constraint}' uses '||' (either-or), which a PEP 440 specifier cannot express`, "use a single range, such as '>=1.2,<3'");
  }
  const clauses = constraint
    .trim()
    .replace(/(\^|~=|~|===|==|!=|<=|>=|<|>|=)\s+/g, "$1")
    .split(/[\s,]+/)
    .filter((clause) => clause !== "")
    .flatMap(translateClause);
  return clauses
    .map((clause) => {
      const checked = normalizeSpecifierClause(clause);
      if (!checked.ok) throw new PoetryTranslationError(`'${constraint}': ${checked.reason}`);
      return checked.value;
    })
    .join(",");
}

function translateClause(clause: string): string[] {
  if (clause === "*") return [];
  const caret = /^\^v?(.+)$/.exec(clause);
  if (caret) return bounded(caret[1] ?? "", "^");
  const compatible = /^~=v?(.+)$/.exec(clause);
  if (compatible) return [`~=${compatible[1]}`];
  const tilde = /^~v?(.+)$/.exec(clause);
  if (tilde) return bounded(tilde[1] ?? "", "~");
  const comparison = /^(===|==|!=|<=|>=|<|>)v?(.+)$/.exec(clause);
  if (comparison) return [`${comparison[1]}${comparison[2]}`];
  const single = /^=v?(.+)$/.exec(clause);
  if (single) return [`==${single[1]}`];
  const bare = /^v?(\d.*)$/.exec(clause);
  if (bare) return [`==${bare[1]}`];
  throw new PoetryTranslationError(`'${clause}' is not a Poetry version constraint`);
}

/**
 * `^` allows changes that do not modify the left-most non-zero part (^0.2.3 → <0.3.0, ^0.0.3 →
 * <0.0.4); `~` allows patch changes when a minor part is given (~1.2.3 → <1.3.0), else minor
 * ones (~1 → <2). The upper bound keeps the precision written.
 */
function bounded(version: string, kind: "^" | "~"): string[] {
  const parsed = explain(version);
  if (!parsed) throw new PoetryTranslationError(`'${kind}${version}': '${version}' is not a valid PEP 440 version`);
  const release = parsed.release;
  const count = release.length;
  let bump: number;
  if (kind === "~") bump = count === 1 ? 0 : 1;
  else if ((release[0] ?? 0) > 0 || count === 1) bump = 0;
  else if ((release[1] ?? 0) > 0 || count === 2) bump = 1;
  else bump = 2;
  const upper = Array.from({ length: Math.max(count, bump + 1) }, (_, i) => (i < bump ? (release[i] ?? 0) : i === bump ? (release[i] ?? 0) + 1 : 0));
  const epoch = parsed.epoch > 0 ? `${parsed.epoch}!` : "";
  return [`>=${version}`, `<${epoch}${upper.join(".")}`];
}

/** Poetry `python = "…"` → a marker on python_version (python_full_version for x.y.z). */
export function poetryPythonMarker(constraint: string): string | undefined {
  const alternatives: string[] = [];
  for (const alternative of constraint.split("||")) {
    const specifier = translatePoetryConstraint(alternative);
    if (specifier === "") return undefined;
    const clauses = specifier.split(",").map((clause) => {
      const [, op = "", version = ""] = /^(===|==|~=|!=|<=|>=|<|>)(.+)$/.exec(clause) ?? [];
      const releaseParts = version.replace(/\.\*$/, "").split(".").length;
      return `${releaseParts >= 3 ? "python_full_version" : "python_version"} ${op} "${version}"`;
    });
    alternatives.push(clauses.join(" and "));
  }
  return alternatives.length > 1 ? alternatives.map((part) => `(${part})`).join(" or ") : alternatives[0];
}

export interface PoetryRequirementText {
  /** PEP 508 text, parsed by the caller. */
  text: string;
  /** Only installed through an extra listed in [tool.poetry.extras]. */
  optional: boolean;
}

const TABLE_KEYS = new Set(["version", "extras", "markers", "python", "platform", "optional", "url", "git", "branch", "tag", "rev", "subdirectory", "path", "develop", "source", "allow-prereleases"]);

/** One `name = …` entry of a Poetry dependency table: a string, a table, or a list of tables. */
export function translatePoetryDependency(name: string, value: unknown): PoetryRequirementText[] {
  if (typeof value === "string") return [{ text: `${name}${translatePoetryConstraint(value)}`, optional: false }];
  if (isTable(value)) return [fromTable(name, value)];
  if (Array.isArray(value) && value.length > 0 && value.every(isTable)) return value.map((entry) => fromTable(name, entry));
  throw new PoetryTranslationError("must be a version string, a table, or a list of tables");
}

function fromTable(name: string, table: TomlTable): PoetryRequirementText {
  const unknown = Object.keys(table).filter((key) => !TABLE_KEYS.has(key));
  if (unknown.length > 0) throw new PoetryTranslationError(`unknown key ${unknown.map((key) => `'${key}'`).join(", ")}`);
  if (table.git !== undefined) {
    throw new PoetryTranslationError("git dependencies are not supported: a checkout is not a fixed artifact that can be scanned and then installed", "pin a released version");
  }
  if (table.path !== undefined) {
    throw new PoetryTranslationError("local path dependencies are not supported: pipcanary only scans distributions fetched from an index or an https URL", "publish the package to an index, or refer to it by an https URL");
  }
  if (table.source !== undefined) {
    throw new PoetryTranslationError("per-dependency sources are not supported", "pass the index with --index-url or --extra-index-url");
  }
  if (table["allow-prereleases"] !== undefined) {
    throw new PoetryTranslationError("'allow-prereleases' is not supported", "pass --pre, or name the pre-release in the version (>=2.0b1)");
  }
  const extras = optionalStringList(table.extras, "extras");
  const markers = [optionalString(table.markers, "markers"), pythonMarker(table.python), platformMarker(table.platform)].filter((part): part is string => part !== undefined);
  const marker = markers.length === 1 ? markers[0] : markers.map((part) => `(${part})`).join(" and ");
  const extrasText = extras.length > 0 ? `[${extras.join(",")}]` : "";
  const url = optionalString(table.url, "url");
  const version = optionalString(table.version, "version");
  if (url !== undefined && version !== undefined) throw new PoetryTranslationError("give either 'url' or 'version', not both");
  const base = url !== undefined ? `${name}${extrasText} @ ${url}${marker ? " " : ""}` : `${name}${extrasText}${version !== undefined ? translatePoetryConstraint(version) : ""}`;
  const optional = table.optional ?? false;
  if (typeof optional !== "boolean") throw new PoetryTranslationError("'optional' must be true or false");
  return { text: marker ? `${base}; ${marker}` : base, optional };
}

function pythonMarker(value: unknown): string | undefined {
  const constraint = optionalString(value, "python");
  return constraint === undefined ? undefined : poetryPythonMarker(constraint);
}

function platformMarker(value: unknown): string | undefined {
  const platform = optionalString(value, "platform");
  return platform === undefined ? undefined : `sys_platform == "${platform}"`;
}

function optionalString(value: unknown, key: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw new PoetryTranslationError(`'${key}' must be a string`);
  return value;
}

function optionalStringList(value: unknown, key: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((entry) => typeof entry === "string")) throw new PoetryTranslationError(`'${key}' must be a list of strings`);
  return value;
}
