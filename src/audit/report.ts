import { ExitCode, type ExitCodeValue } from "../core/exit-codes.ts";
import type { ReleaseFile } from "../index/metadata.ts";
import { formatTimestamp } from "../core/time.ts";
import type { KnownVulnerability } from "./vulnerabilities.ts";
import type { KnownMalware } from "../core/known-malware.ts";
import { allowedMalwareLine, knownMalwareLines } from "./known-malware-text.ts";

/** The audit's result, its text in the seeds' wording, its JSON form and its exit code. */

export interface Suggestion {
  version: string;
  /** Undefined when the replacement's vulnerabilities could not be checked (`vulnerabilityGap` says why). */
  vulnerabilities: KnownVulnerability[] | undefined;
  vulnerabilityGap: string | undefined;
}

export interface TooRecent {
  uploadTime: Date;
  /** Undefined when no release qualifies, or when the releases could not be looked up. */
  suggestion: Suggestion | undefined;
  /** Why no release could be looked up (offline without data); undefined when the lookup ran. */
  suggestionGap: string | undefined;
}

/** Why data is missing in --offline mode, with the fix. */
export const OFFLINE_GAP = "not in the cache and --offline allows no request; run once online to fill the cache";

export interface MissingData {
  what: "metadata" | "vulnerability data" | "known-malware data" | "upload time";
  reason: string;
}

export interface PackageAudit {
  /** Display name (`Flask`), from the index when it says. */
  name: string;
  normalizedName: string;
  version: string;
  vulnerabilities: KnownVulnerability[];
  /** Ids left out by --ignore-vuln. */
  ignored: string[];
  /** Known-malware records that match this version. */
  malware: KnownMalware[];
  /** Matches let through by --allow-known-malware. */
  allowedMalware: KnownMalware[];
  /** The input line that names this package (`requirements.txt:3 evil==1.0`), when one does. */
  requiredBy: string | undefined;
  uploadTime: Date | undefined;
  tooRecent: TooRecent | undefined;
  missing: MissingData[];
  /** The version's files as the index lists them (URLs, upload times) for pylock.toml. */
  files: ReleaseFile[];
}

export interface AuditReport {
  packages: PackageAudit[];
  /** Problems that did not stop the audit (an unwritable cache). */
  warnings: string[];
}

const malwarePackages = (report: AuditReport) => report.packages.filter((pkg) => pkg.malware.length > 0);
const vulnerablePackages = (report: AuditReport) => report.packages.filter((pkg) => pkg.vulnerabilities.length > 0);
const tooRecentPackages = (report: AuditReport) => report.packages.filter((pkg) => pkg.tooRecent !== undefined);
const incompletePackages = (report: AuditReport) => report.packages.filter((pkg) => pkg.missing.length > 0);

/** 5 for known malware; 4 for other findings; else 3 when data was missing (nothing can be said about those packages); else 0. */
export function auditExitCode(report: AuditReport): ExitCodeValue {
  if (malwarePackages(report).length > 0) return ExitCode.MaliciousActivity;
  if (vulnerablePackages(report).length > 0 || tooRecentPackages(report).length > 0) return ExitCode.AuditFindings;
  if (incompletePackages(report).length > 0) return ExitCode.IndexUnreachable;
  return ExitCode.Safe;
}

function describeVulnerabilities(vulnerabilities: readonly KnownVulnerability[]): string {
  return vulnerabilities
    .map(({ id, fixedIn }) => `${id} (${fixedIn.length > 0 ? `fixed in ${fixedIn.join(", ")}` : "no fixed release yet"})`)
    .join(", ");
}

function suggestionLine(pkg: PackageAudit, { suggestion, suggestionGap }: TooRecent): string {
  if (suggestionGap) return `  - No older release could be suggested: ${suggestionGap}`;
  if (!suggestion) {
    return `  - No older release of ${pkg.name} is suitable: none was uploaded before the cool-down cut-off, is not yanked, satisfies the requirements and supports the target Python`;
  }
  if (!suggestion.vulnerabilities) {
    return `  - Consider ${pkg.name}<=${suggestion.version}, but its known vulnerabilities could not be checked: ${suggestion.vulnerabilityGap ?? "no data"}`;
  }
  if (suggestion.vulnerabilities.length === 0) return `  - Consider ${pkg.name}<=${suggestion.version} which has no known vulnerabilities`;
  return `  - The next suitable release ${pkg.name}: ${suggestion.version} has known vulnerabilities though: ${describeVulnerabilities(suggestion.vulnerabilities)}`;
}

/** The seeds' wording, line for line. */
export function renderAuditText(report: AuditReport): string {
  const malicious = malwarePackages(report);
  const vulnerable = vulnerablePackages(report);
  const recent = tooRecentPackages(report);
  const incomplete = incompletePackages(report);
  const lines = [`Auditing ${report.packages.length} packages...`, ...report.warnings.map((warning) => `Warning: ${warning}`)];
  for (const pkg of report.packages) lines.push(...pkg.allowedMalware.map((match) => `Warning: ${allowedMalwareLine(match)}`));
  for (const pkg of malicious) {
    const chain = pkg.requiredBy === undefined ? [] : [pkg.requiredBy, `${pkg.normalizedName} ${pkg.version}`];
    for (const match of pkg.malware) lines.push(...knownMalwareLines(match, chain));
  }
  for (const pkg of vulnerable) {
    lines.push(`Package ${pkg.name}:${pkg.version} has known vulnerabilities: ${describeVulnerabilities(pkg.vulnerabilities)}.`);
  }
  for (const pkg of recent) {
    if (!pkg.tooRecent) continue;
    const time = formatTimestamp(pkg.tooRecent.uploadTime);
    lines.push(
      `Package ${pkg.name} ${pkg.version} was updated too recently: ${time}.`,
      suggestionLine(pkg, pkg.tooRecent),
      `  - If you are certain that the latest upload is secure, add the following argument: --allow-upload-time='${pkg.name}<=${time}'`,
    );
  }
  for (const pkg of incomplete) {
    for (const { what, reason } of pkg.missing) lines.push(`Package ${pkg.name} ${pkg.version} could not be checked: no ${what} (${reason}).`);
  }
  if (malicious.length + vulnerable.length + recent.length + incomplete.length === 0) {
    lines.push("No known vulnerabilities and no recent uploads found.");
    return `${lines.join("\n")}\n`;
  }
  lines.push("Summary:");
  if (malicious.length > 0) {
    lines.push(`  - Known malware was found in the following package(s): ${malicious.map((pkg) => `${pkg.name}:${pkg.version}`).join(", ")}. Do not install them.`);
  }
  if (vulnerable.length > 0) {
    lines.push(`  - Vulnerabilities in the following package(s) were found: ${vulnerable.map((pkg) => `${pkg.name}:${pkg.version}`).join(", ")}.`);
  }
  if (recent.length > 0) lines.push(`  - The following package(s) were uploaded too recently: ${recent.map((pkg) => pkg.name).join(", ")}.`);
  if (incomplete.length > 0) {
    lines.push(`  - The following package(s) could not be checked: ${incomplete.map((pkg) => `${pkg.name}:${pkg.version}`).join(", ")}.`);
  }
  return `${lines.join("\n")}\n`;
}

export interface AuditReportJson {
  packages: Array<{
    name: string;
    version: string;
    vulnerabilities: KnownVulnerability[];
    ignored: string[];
    malware: KnownMalware[];
    allowedMalware: KnownMalware[];
    uploadTime: string | null;
    tooRecent: { uploadTime: string; suggestion: { version: string; vulnerabilities: KnownVulnerability[] | null } | null } | null;
    missing: MissingData[];
  }>;
  summary: { malware: string[]; vulnerable: string[]; tooRecent: string[]; incomplete: string[]; exitCode: number };
  warnings: string[];
}

/** A JSON-able form for `--format json`; times are full ISO 8601 UTC. */
export function auditReportJson(report: AuditReport): AuditReportJson {
  return {
    packages: report.packages.map((pkg) => ({
      name: pkg.name,
      version: pkg.version,
      vulnerabilities: pkg.vulnerabilities,
      ignored: pkg.ignored,
      malware: pkg.malware,
      allowedMalware: pkg.allowedMalware,
      uploadTime: pkg.uploadTime?.toISOString() ?? null,
      tooRecent: pkg.tooRecent
        ? {
            uploadTime: pkg.tooRecent.uploadTime.toISOString(),
            suggestion: pkg.tooRecent.suggestion
              ? { version: pkg.tooRecent.suggestion.version, vulnerabilities: pkg.tooRecent.suggestion.vulnerabilities ?? null }
              : null,
          }
        : null,
      missing: pkg.missing,
    })),
    summary: {
      malware: malwarePackages(report).map((pkg) => `${pkg.name}:${pkg.version}`),
      vulnerable: vulnerablePackages(report).map((pkg) => `${pkg.name}:${pkg.version}`),
      tooRecent: tooRecentPackages(report).map((pkg) => pkg.name),
      incomplete: incompletePackages(report).map((pkg) => `${pkg.name}:${pkg.version}`),
      exitCode: auditExitCode(report),
    },
    warnings: report.warnings,
  };
}
