import { type Finding, findingDetails, type FindingSubject } from "../core/finding.ts";
import { knownMalwareDetails, knownMalwareHeadline } from "../audit/known-malware-text.ts";

export const SAFE_MESSAGE = "All packages appear to be safe!";

const WARNING_LINES = [
  "This could be dangerous!!!",
  "Don't install this package under any circumstances until you know for sure that this is a false positive!",
  "In doubt, contact the package maintainers!",
];
const KILL_NOTE = "Note that PipCanary immediately kills the scanning process once it detects suspicious behavior to prevent damage!";

function hostPort(address: string, port: number | undefined): string {
  const host = address.includes(":") ? `[${address}]` : address;
  return port === undefined ? host : `${host}:${port}`;
}

/** The part after "Found suspicious": what was touched, reached, run or shipped. */
export function subjectText(subject: FindingSubject): string {
  switch (subject.kind) {
    case "access":
      return `access to ${subject.path}`;
    case "connection":
      return `connection to ${hostPort(subject.address, subject.port)}`;
    case "execution":
      return `execution of ${subject.argv.join(" ")}`;
    case "process":
      return `process ${subject.argv.join(" ")} (${subject.detail})`;
    case "code":
      return `code in ${subject.file}${subject.line === undefined ? "" : `:${subject.line}`}`;
    case "name":
      return `name ${subject.name} (${subject.detail})`;
    case "archive":
      return `archive member ${subject.file} (${subject.detail})`;
    case "known-malware":
      return `release ${subject.version} (known malware ${subject.id})`;
  }
}

function packageText(finding: Finding): string {
  return finding.package === undefined ? "pip itself" : `package ${finding.package}`;
}

/** "Found suspicious access to ~/.ssh/id_rsa in package evilpack." — the seed's first line. */
export function findingHeadline(finding: Finding): string {
  if (finding.subject.kind === "known-malware") return knownMalwareHeadline(finding.subject.id, finding.package ?? "");
  return `Found suspicious ${subjectText(finding.subject)} in ${packageText(finding)}.`;
}

/** Where and how it was seen, for the reader who has to judge a false positive. */
function detailLines(finding: Finding): string[] {
  if (finding.subject.kind === "known-malware") {
    return [...knownMalwareDetails(finding.subject, finding.subject.chain), `Checked: ${finding.subject.checked}`, `Rule: ${finding.ruleId}`];
  }
  const { syscall, argv, artifactSha256 } = findingDetails(finding);
  const lines = [`Phase: ${finding.phase}`];
  if (syscall) lines.push(`System call: ${syscall}`);
  if (argv && argv.length > 0) lines.push(`Process: ${argv.join(" ")}`);
  if (finding.subject.kind === "code") lines.push(`Code: ${finding.subject.snippet}`);
  if (artifactSha256) lines.push(`Archive sha256: ${artifactSha256}`);
  lines.push(`Rule: ${finding.ruleId}`);
  return lines;
}

/** One blocking finding in the seed's wording, followed by the details pipcanary adds. */
function formatBlockingFinding(finding: Finding): string {
  return [
    findingHeadline(finding),
    "",
    `Description: ${finding.description}`,
    `Explanation: ${finding.explanation}`,
    "",
    ...WARNING_LINES,
    "",
    // A known-malware match is refused by name and version: nothing of it ran that needed killing.
    ...(finding.subject.kind === "known-malware" ? [] : [KILL_NOTE, ""]),
    ...detailLines(finding),
  ].join("\n");
}

/** A non-blocking finding: one headline with its description. */
export function formatWarning(finding: Finding): string {
  return `Warning: ${findingHeadline(finding)} ${finding.description}`;
}

/**
 * The last line of a run without blocking findings: the seed's all-clear only when nothing needs
 * a look; after any warning, how many do (the exit code stays 0 for warnings alone).
 */
export function closingLine(findings: readonly Finding[]): string {
  const count = findings.filter((finding) => finding.severity === "warn").length;
  if (count === 0) return SAFE_MESSAGE;
  return `No blocking findings, but ${count} warning${count === 1 ? " needs" : "s need"} a look.`;
}

/**
 * The behavioural scan's verdict as text: the first blocking finding in full (the scan stopped
 * there) followed by what the run was told to skip or accept (`notes`); or warnings as one line
 * each, the notes and the closing line.
 */
export function formatScanReport(findings: readonly Finding[], notes: readonly string[] = []): string {
  const blocking = findings.find((finding) => finding.severity === "block");
  const warnings = findings.filter((finding) => finding.severity === "warn").map(formatWarning);
  if (blocking) return [...warnings, ...(warnings.length > 0 ? [""] : []), formatBlockingFinding(blocking), ...(notes.length > 0 ? ["", ...notes] : [])].join("\n");
  return [...warnings, ...notes, closingLine(findings)].join("\n");
}
