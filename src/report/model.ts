/**
 * The report as data: one typed model that every renderer (text, JSON, SARIF) takes, so whoever
 * runs the check only builds a model and hands it to the renderers. Scan findings and audit
 * results become one list of located findings here, each pinned to the input line that brought
 * its package in.
 */
import { AUDIT_RULES, AUDIT_UNCHECKED, COOL_DOWN } from "../audit/audit-rules.ts";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { existsSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import type { AuditReport, PackageAudit } from "../audit/report.ts";
import { errorMessage, formatOrigin, type Origin, PipcanaryError } from "../core/errors.ts";
import { ExitCode, type ExitCodeValue } from "../core/exit-codes.ts";
import type { Finding } from "../core/finding.ts";
import type { InstalledDistribution } from "../core/artifact.ts";
import type { Phase } from "../core/phase.ts";
import type { Requirement, TargetEnvironment } from "../core/requirements.ts";
import { markerApplies } from "../inputs/markers.ts";
import type { Severity } from "../core/severity.ts";
import type { Exemptions } from "./exemptions.ts";
import { KNOWN_MALWARE_RULE, requirementLink } from "../audit/known-malware-text.ts";
import { findingHeadline } from "./text.ts";

/** Bumped on any change a consumer of the JSON report could notice; see schemas/report.schema.json. */
const REPORT_SCHEMA_VERSION = "1.0.0";

export type ReportCommand = "scan" | "audit" | "rules";

/** One word per exit code, so that `verdict` and `exitCode` can never disagree. */
export type Verdict =
  | "safe"
  | "invalid-input"
  | "scan-failed"
  | "index-unreachable"
  | "audit-findings"
  | "malicious"
  | "missing-precondition"
  | "interrupted";

const VERDICTS: Record<ExitCodeValue, Verdict> = {
  [ExitCode.Safe]: "safe",
  [ExitCode.InvalidInput]: "invalid-input",
  [ExitCode.ScanFailed]: "scan-failed",
  [ExitCode.IndexUnreachable]: "index-unreachable",
  [ExitCode.AuditFindings]: "audit-findings",
  [ExitCode.MaliciousActivity]: "malicious",
  [ExitCode.MissingPrecondition]: "missing-precondition",
  [ExitCode.Interrupted]: "interrupted",
  [ExitCode.Terminated]: "interrupted",
};

export function verdictOf(exitCode: ExitCodeValue): Verdict {
  return VERDICTS[exitCode];
}

/** Where a finding came from. */
export type FindingKind = "behavioural" | "static" | "name" | "egress" | "known-malware" | "vulnerability" | "too-recent" | "unchecked";

/** The input line a finding is shown at: the package's own requirement, or the direct one that pulled it in. */
export interface InputLocation {
  /** Relative to the working directory, `/`-separated. */
  file: string;
  /** Relative to the report's source root, `/`-separated and percent-encoded (`../` for a file outside it). */
  uri: string;
  line: number;
  /** How the package got there, input line first; empty when the package is not in the inputs at all. */
  chain: string[];
  /** False when the package is transitive and which direct requirement pulled it in is unknown. */
  chainKnown: boolean;
}

export interface ReportFinding {
  kind: FindingKind;
  ruleId: string;
  severity: Severity;
  /** Normalised name; undefined when pip itself tripped the rule. */
  package: string | undefined;
  version: string | undefined;
  phase: Phase | undefined;
  /** The headline, as the text report prints it. */
  message: string;
  description: string;
  explanation: string;
  location: InputLocation | undefined;
  /** sha256 of the archives involved. */
  sha256: string[];
  /** Stable across runs: a hash of the rule, the package and what was found (never of temp paths). */
  fingerprint: string;
  /** The scan's own finding, for the renderers that print its details. */
  source: Finding | undefined;
}

export interface InstalledEntry {
  name: string;
  version: string;
  direct: boolean;
  artifacts: Array<{ filename: string; sha256: string; url: string | undefined }>;
}

/** A requirement that was not scanned, and why. */
export type SkippedPackage =
  | { name: string; cause: "do-not-scan"; reason: string }
  /** Excluded by its environment marker: the target interpreter would not install it. */
  | { name: string; cause: "marker"; marker: string; reason: string };

/** A rule as SARIF's `rules` and `pipcanary rules` list it. */
export interface RuleDescriptor {
  id: string;
  description: string;
  explanation: string;
  severity: Severity;
  kind: "dynamic" | "static" | "plugin" | "audit" | "vulnerability";
}

/**
 * What locations are relative to for tools that map them onto a repository (SARIF's %SRCROOT%):
 * the git work tree the inputs are in, so GitHub code scanning finds the file whatever directory
 * pipcanary ran from; else the working directory.
 */
export interface SourceRoot {
  /** Absolute. */
  path: string;
  kind: "git" | "cwd";
}

export interface ReportModel {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  tool: { name: "pipcanary"; version: string };
  command: ReportCommand;
  exitCode: ExitCodeValue;
  verdict: Verdict;
  /** Why the run could not finish, when it could not. */
  failure: { message: string; hint: string | undefined } | undefined;
  findings: ReportFinding[];
  /** What the scan installed; undefined when it did not get that far (or for `audit`). */
  installed: InstalledEntry[] | undefined;
  /** The audit of everything that was resolved; undefined when none ran. */
  audit: AuditReport | undefined;
  exemptions: Exemptions | undefined;
  skipped: SkippedPackage[];
  rules: RuleDescriptor[];
  sourceRoot: SourceRoot;
  /** Set when the behavioural verdict was reused from the verdict cache instead of running install and import. */
  verdictFromCache: VerdictFromCache | undefined;
  /** strace lines the parser could not read (each shown with --log-level debug); 0 outside a scan. */
  traceProblems: number;
}

/** Where a reused behavioural verdict came from. */
export interface VerdictFromCache {
  level: "local" | "shared";
  madeAt: string;
  madeBy: string;
}

/** Everything a model is built from; every field but the first three may be left out. */
export interface ReportInput {
  command: ReportCommand;
  version: string;
  exitCode: ExitCodeValue;
  /** Paths in locations are made relative to it. */
  cwd: string;
  requirements?: readonly Requirement[];
  findings?: readonly Finding[];
  audit?: AuditReport | undefined;
  installed?: readonly InstalledDistribution[] | undefined;
  exemptions?: Exemptions | undefined;
  skipped?: readonly SkippedPackage[];
  /** Normalised name → the normalised names it requires (pip's report or the dist's metadata), for chains. */
  dependencies?: ReadonlyMap<string, readonly string[]>;
  /** Where packages of lock files without requirement lines (pylock.toml) are named. */
  packageOrigins?: ReadonlyMap<string, Origin>;
  rules?: readonly RuleDescriptor[];
  failure?: { message: string; hint: string | undefined } | undefined;
  verdictFromCache?: VerdictFromCache | undefined;
  traceProblems?: number;
}

/** Maps a scan finding to its kind; the one place that knows how today's Finding says where it came from. */
function findingKind(finding: Finding): FindingKind {
  return finding.source === "audit" ? "known-malware" : finding.source;
}

/** Temp dirs differ per run; a fingerprint must not. */
function withoutTempPaths(text: string): string {
  const roots = [...new Set([tmpdir(), "/tmp", "/var/tmp"])].map((root) => root.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return text.replace(new RegExp(`(?:${roots.join("|")})/[^/\\s]+`, "g"), "$TMP");
}

function subjectKey(finding: Finding): string {
  const subject = finding.subject;
  switch (subject.kind) {
    case "access":
      return subject.path;
    case "connection":
      return `${subject.address}:${subject.port ?? ""}`;
    case "execution":
      return subject.argv.join(" ");
    case "process":
      return `${subject.argv.join(" ")} ${subject.detail}`;
    case "code":
      return `${subject.file} ${subject.snippet}`;
    case "name":
      return subject.name;
    case "archive":
      return subject.file;
    case "known-malware":
      return `${subject.id} ${subject.version}`;
  }
}

export function fingerprint(ruleId: string, pkg: string | undefined, subject: string): string {
  return createHash("sha256").update(`${ruleId}\0${pkg ?? ""}\0${withoutTempPaths(subject)}`).digest("hex");
}

function relativeFile(cwd: string, file: string): string {
  const path = relative(cwd, resolve(cwd, file));
  return (isAbsolute(path) ? file : path).split(sep).join("/");
}

/** The top of the git work tree `dir` is in (a `.git` folder, or the file a worktree has), without running git. */
function gitWorkTreeTop(dir: string): string | undefined {
  for (let current = resolve(dir); ; current = dirname(current)) {
    if (existsSync(join(current, ".git"))) return current;
    if (dirname(current) === current) return undefined;
  }
}

/** The work tree of the first input file, else the working directory. */
function sourceRootOf(input: ReportInput): SourceRoot {
  const first = [...(input.requirements ?? []).map((requirement) => requirement.origin), ...(input.packageOrigins?.values() ?? [])].find((origin) => origin.file !== "");
  const top = first ? gitWorkTreeTop(dirname(resolve(input.cwd, first.file))) : undefined;
  return top ? { path: top, kind: "git" } : { path: resolve(input.cwd), kind: "cwd" };
}

function rootUri(root: SourceRoot, cwd: string, file: string): string {
  return encodeURI(relativeFile(root.path, resolve(cwd, file)));
}

/** Finds each package's place in the inputs: its own requirement, or the direct one above it. */
class Locator {
  private readonly direct: Requirement[];

  constructor(
    private readonly input: ReportInput,
    private readonly root: SourceRoot,
  ) {
    this.direct = (input.requirements ?? []).filter((requirement) => !requirement.constraint);
  }

  private at(origin: Origin, chain: string[], chainKnown: boolean): InputLocation {
    const { cwd } = this.input;
    return { file: relativeFile(cwd, origin.file), uri: rootUri(this.root, cwd, origin.file), line: Math.max(1, origin.line), chain, chainKnown };
  }

  /** A path of names from a direct requirement down to `name`, through the dependency map. */
  private pathTo(name: string): { requirement: Requirement; names: string[] } | undefined {
    const dependencies = this.input.dependencies;
    if (!dependencies) return undefined;
    for (const requirement of this.direct) {
      const seen = new Set<string>([requirement.normalizedName]);
      const queue: string[][] = [[requirement.normalizedName]];
      for (let path = queue.shift(); path; path = queue.shift()) {
        const last = path[path.length - 1] ?? "";
        if (last === name) return { requirement, names: path.slice(1) };
        for (const next of dependencies.get(last) ?? []) {
          if (!seen.has(next)) {
            seen.add(next);
            queue.push([...path, next]);
          }
        }
      }
    }
    return undefined;
  }

  locate(name: string | undefined, version: string | undefined): InputLocation | undefined {
    const self = name === undefined ? undefined : `${name}${version ? ` ${version}` : ""}`;
    const own = name === undefined ? undefined : this.direct.find((requirement) => requirement.normalizedName === name);
    if (own) return this.at(own.origin, [requirementLink(own), ...(self && version ? [self] : [])], true);
    const locked = name === undefined ? undefined : this.input.packageOrigins?.get(name);
    if (locked) return this.at(locked, [`${formatOrigin(locked)} ${self ?? ""}`], true);
    const path = name === undefined ? undefined : this.pathTo(name);
    if (path) return this.at(path.requirement.origin, [requirementLink(path.requirement), ...path.names.slice(0, -1), ...(self ? [self] : [])], true);
    const rest = self ? ["…", self] : [];
    const first = this.direct[0];
    if (first) return this.at(first.origin, [requirementLink(first), ...rest], false);
    const firstLocked = [...(this.input.packageOrigins?.values() ?? [])][0];
    return firstLocked && this.at(firstLocked, [formatOrigin(firstLocked), ...rest], false);
  }

  /** The known-malware gate already found the chain; its first link names the input line. */
  locateByChain(chain: readonly string[], name: string | undefined, version: string | undefined): InputLocation | undefined {
    const requirement = this.direct.find((candidate) => requirementLink(candidate) === chain[0]);
    return requirement ? this.at(requirement.origin, [...chain], true) : this.locate(name, version);
  }
}

const VULNERABILITY_EXPLANATION = "A published advisory lists this release as affected.";
const TOO_RECENT_RULE = COOL_DOWN.id;
const UNCHECKED_RULE = AUDIT_UNCHECKED.id;

function scanFinding(finding: Finding, locator: Locator): ReportFinding {
  const version = finding.subject.kind === "known-malware" ? finding.subject.version : undefined;
  const location = finding.subject.kind === "known-malware" ? locator.locateByChain(finding.subject.chain, finding.package, version) : locator.locate(finding.package, version);
  return {
    kind: findingKind(finding),
    ruleId: finding.ruleId,
    severity: finding.severity,
    package: finding.package,
    version,
    phase: finding.phase,
    message: findingHeadline(finding),
    description: finding.description,
    explanation: finding.explanation,
    location,
    sha256: finding.source === "static" ? [finding.artifactSha256] : [],
    fingerprint: fingerprint(finding.ruleId, finding.package, subjectKey(finding)),
    source: finding,
  };
}

function auditFinding(pkg: PackageAudit, fields: Pick<ReportFinding, "kind" | "ruleId" | "severity" | "message" | "description" | "explanation">, subject: string, locator: Locator, sha256: string[]): ReportFinding {
  return {
    ...fields,
    package: pkg.normalizedName,
    version: pkg.version,
    phase: undefined,
    location: locator.locate(pkg.normalizedName, pkg.version),
    sha256,
    fingerprint: fingerprint(fields.ruleId, pkg.normalizedName, subject),
    source: undefined,
  };
}

function auditFindings(audit: AuditReport, scanFindings: readonly Finding[], locator: Locator, hashes: ReadonlyMap<string, string[]>): ReportFinding[] {
  const reported = new Set(scanFindings.flatMap((finding) => (finding.subject.kind === "known-malware" ? [`${finding.package} ${finding.subject.id}`] : [])));
  const findings: ReportFinding[] = [];
  for (const pkg of audit.packages) {
    const sha256 = hashes.get(pkg.normalizedName) ?? pkg.files.flatMap((file) => (file.sha256 ? [file.sha256] : []));
    const add = (fields: Parameters<typeof auditFinding>[1], subject: string) => findings.push(auditFinding(pkg, fields, subject, locator, sha256));
    for (const match of pkg.malware) {
      if (reported.has(`${pkg.normalizedName} ${match.id}`)) continue;
      const description = `Known malware${match.summary ? `: ${match.summary}` : ""}.`;
      add({ kind: "known-malware", ruleId: KNOWN_MALWARE_RULE, severity: "block", message: `Found known malware ${match.id} in package ${pkg.name}.`, description, explanation: `Record ${match.id} from ${match.source}.` }, `${match.id} ${pkg.version}`);
    }
    for (const vulnerability of pkg.vulnerabilities) {
      const fixed = vulnerability.fixedIn.length > 0 ? `fixed in ${vulnerability.fixedIn.join(", ")}` : "no fixed release yet";
      add(
        {
          kind: "vulnerability",
          ruleId: vulnerability.id,
          severity: "block",
          message: `Package ${pkg.name}:${pkg.version} has known vulnerability ${vulnerability.id} (${fixed}).`,
          description: vulnerability.summary ?? `Known vulnerability ${vulnerability.id}.`,
          explanation: `${VULNERABILITY_EXPLANATION}${vulnerability.aliases.length > 0 ? ` Aliases: ${vulnerability.aliases.join(", ")}.` : ""}`,
        },
        pkg.version,
      );
    }
    if (pkg.tooRecent) {
      const time = pkg.tooRecent.uploadTime.toISOString();
      add(
        {
          kind: "too-recent",
          ruleId: TOO_RECENT_RULE,
          severity: "block",
          message: `Package ${pkg.name} ${pkg.version} was updated too recently: ${time}.`,
          description: COOL_DOWN.description,
          explanation: `Malicious uploads are usually found and removed within days; ${pkg.tooRecent.suggestion ? `${pkg.name}<=${pkg.tooRecent.suggestion.version} is older` : "no older release qualifies"}. To accept it: --allow-upload-time='${pkg.name}<=${time}'.`,
        },
        pkg.version,
      );
    }
    for (const missing of pkg.missing) {
      add(
        { kind: "unchecked", ruleId: UNCHECKED_RULE, severity: "warn", message: `Package ${pkg.name} ${pkg.version} could not be checked: no ${missing.what} (${missing.reason}).`, description: AUDIT_UNCHECKED.description, explanation: "Nothing can be said about this package until the data can be had." },
        missing.what,
      );
    }
  }
  return findings;
}

const AUDIT_RULE_DESCRIPTORS: readonly RuleDescriptor[] = AUDIT_RULES.map((rule) => ({ ...rule, kind: "audit" as const }));

/** Every rule a finding names, described once; rules passed in win over what findings say. */
function rulesOf(findings: readonly ReportFinding[], given: readonly RuleDescriptor[]): RuleDescriptor[] {
  const rules = new Map(given.map((rule) => [rule.id, rule]));
  for (const finding of findings) {
    if (rules.has(finding.ruleId)) continue;
    const known = finding.kind === "vulnerability" ? undefined : AUDIT_RULE_DESCRIPTORS.find((rule) => rule.id === finding.ruleId);
    const kind = finding.kind === "vulnerability" ? "vulnerability" : finding.kind === "static" || finding.kind === "name" ? "static" : finding.source ? "dynamic" : "audit";
    rules.set(finding.ruleId, known ?? { id: finding.ruleId, description: finding.description, explanation: finding.explanation, severity: finding.severity, kind });
  }
  return [...rules.values()];
}

export function buildReportModel(input: ReportInput): ReportModel {
  const sourceRoot = sourceRootOf(input);
  const locator = new Locator(input, sourceRoot);
  const scanFindings = input.findings ?? [];
  const hashes = new Map((input.installed ?? []).map((dist) => [dist.name, dist.artifacts.map((artifact) => artifact.sha256)]));
  const findings = [...scanFindings.map((finding) => scanFinding(finding, locator)), ...(input.audit ? auditFindings(input.audit, scanFindings, locator, hashes) : [])];
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: "pipcanary", version: input.version },
    command: input.command,
    exitCode: input.exitCode,
    verdict: verdictOf(input.exitCode),
    failure: input.failure,
    findings,
    installed: input.installed?.map((dist) => ({
      name: dist.name,
      version: dist.version,
      direct: dist.direct,
      artifacts: dist.artifacts.map((artifact) => ({ filename: artifact.filename, sha256: artifact.sha256, url: artifact.url })),
    })),
    audit: input.audit,
    exemptions: input.exemptions,
    skipped: [...(input.skipped ?? [])],
    rules: rulesOf(findings, input.rules ?? []),
    sourceRoot,
    verdictFromCache: input.verdictFromCache,
    traceProblems: input.traceProblems ?? 0,
  };
}

/** Packages installed but not imported in the sandbox (--do-not-scan). */
export function skippedPackages(notImported: readonly string[]): SkippedPackage[] {
  return notImported.map((name) => ({ name, cause: "do-not-scan" as const, reason: "installed but not imported in the sandbox (--do-not-scan)" }));
}

/** Requirements whose environment markers do not hold for the target interpreter, which would not install them. */
export function markerSkipped(requirements: readonly Requirement[], environment: TargetEnvironment | undefined): SkippedPackage[] {
  return requirements
    .filter((requirement) => !requirement.constraint && markerApplies(requirement, environment) === false)
    .map((requirement) => {
      const marker = requirement.markerText ?? "";
      const target = environment ? ` (Python ${environment.python_full_version}, ${environment.sys_platform})` : "";
      return { name: requirement.normalizedName, cause: "marker" as const, marker, reason: `${formatOrigin(requirement.origin)}: its marker '${marker}' does not hold for the target interpreter${target}` };
    });
}

/** The report of a run that could not finish: no findings, the reason, and the exit code it ends with. */
export function buildFailureModel(command: ReportCommand, version: string, cwd: string, error: unknown): ReportModel {
  const known = error instanceof PipcanaryError;
  const failure = known ? { message: error.message, hint: error.hint } : { message: `internal error: ${errorMessage(error)}`, hint: undefined };
  return buildReportModel({ command, version, cwd, exitCode: known ? error.exitCode : ExitCode.ScanFailed, failure });
}
