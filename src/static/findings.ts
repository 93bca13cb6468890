import { normalizeName } from "../core/names.ts";
import type { Artifact } from "../core/artifact.ts";
import type { FindingSubject, StaticFinding } from "../core/finding.ts";
import { type RuleException, type StaticRule } from "../rules/types.ts";
import { SEVERITIES, type Severity } from "../core/severity.ts";
import { compileGlobSet } from "../core/glob.ts";
import type { Hit } from "./match.ts";
import { type AllowlistPolicy, applyAllowlist } from "./policy.ts";

/** Findings per rule and archive beyond this are counted in a note instead of listed. */
const MAX_PER_RULE = 10;

export interface FindingsOutcome {
  findings: StaticFinding[];
  notes: string[];
}

/**
 * Turns rule hits into findings: rule exceptions drop hits, the allowlist lowers them, and on one
 * file:line only the most severe findings are kept (a line that runs a shell in an install hook is
 * not also reported as "uses subprocess").
 */
export function findingsFromHits(hits: readonly Hit[], artifact: Artifact, root: string, policy: AllowlistPolicy): FindingsOutcome {
  const kept = hits.filter(({ rule, subject }) => !rule.except.some((exception) => exceptionApplies(exception, artifact.name, subject, root)));
  const candidates = kept.map(({ rule, subject }) => findingOf(rule, rule.severity, "", subject, artifact, policy));
  // A partner counts unless the built-in allowlist says it is normal for this package; the user's
  // allowlist then lowers the raised finding by its one level, like any other.
  const builtinOnly: AllowlistPolicy = { credential: policy.credential, user: new Set() };
  const partners = kept.filter(({ rule }) => applyAllowlist(rule.severity, rule.match.lowering, artifact.name, builtinOnly).severity !== "info");
  kept.forEach(({ rule, subject }, i) => {
    if (!("escalateWith" in rule.match) || rule.match.escalateWith === undefined || subject.kind !== "code" || rule.severity === "block") return;
    const globs = compileGlobSet(rule.match.escalateWith, "name");
    const partner = partners.find((other) => other.subject.kind === "code" && other.subject.file === subject.file && globs.test(other.rule.id));
    if (partner) {
      const why = `Raised from ${rule.severity} to block: the same file also has ${partner.rule.id} (${partner.rule.description})`;
      candidates[i] = findingOf(rule, "block", why, subject, artifact, policy);
    }
  });
  const strongest = new Map<string, Severity>();
  for (const finding of candidates) {
    const key = locationKey(finding.subject);
    const current = strongest.get(key);
    if (current === undefined || rank(finding.severity) < rank(current)) strongest.set(key, finding.severity);
  }
  const findings: StaticFinding[] = [];
  const perRule = new Map<string, number>();
  const seen = new Set<string>();
  for (const finding of candidates) {
    const key = locationKey(finding.subject);
    if (strongest.get(key) !== finding.severity) continue;
    const identity = `${finding.ruleId}\0${key}\0${subjectText(finding.subject)}`;
    if (seen.has(identity)) continue;
    seen.add(identity);
    const count = (perRule.get(finding.ruleId) ?? 0) + 1;
    perRule.set(finding.ruleId, count);
    if (count <= MAX_PER_RULE) findings.push(finding);
  }
  const notes = [...perRule].filter(([, count]) => count > MAX_PER_RULE).map(([id, count]) => `${id}: ${count - MAX_PER_RULE} more finding(s) not listed`);
  findings.sort((a, b) => rank(a.severity) - rank(b.severity));
  return { findings, notes };
}

function findingOf(rule: StaticRule, severity: Severity, raised: string, subject: StaticFinding["subject"], artifact: Artifact, policy: AllowlistPolicy): StaticFinding {
  const outcome = applyAllowlist(severity, rule.match.lowering, artifact.name, policy);
  const notes = [raised, outcome.lowered ? `Lowered from ${severity} to ${outcome.severity}: ${outcome.lowered}` : ""].filter((note) => note !== "");
  return {
    source: "static",
    ruleId: rule.id,
    severity: outcome.severity,
    description: rule.description,
    explanation: [rule.explanation.trim(), ...notes.map((note) => `${note}.`)].join("\n"),
    package: artifact.name,
    phase: "static",
    subject,
    artifactSha256: artifact.sha256,
  };
}

function rank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

function locationKey(subject: FindingSubject): string {
  if (subject.kind === "code") return `${subject.file}:${subject.line ?? subject.snippet}`;
  if (subject.kind === "archive") return `${subject.file}#${subject.detail}`;
  return JSON.stringify(subject);
}

function subjectText(subject: FindingSubject): string {
  return subject.kind === "code" ? subject.snippet : JSON.stringify(subject);
}

function exceptionApplies(exception: RuleException, packageName: string, subject: FindingSubject, root: string): boolean {
  // Fields about traced events can never match a static finding, so such an exception never applies.
  if (exception.paths !== undefined || exception.programs !== undefined) return false;
  if (exception.phases !== undefined && !exception.phases.includes("static")) return false;
  if (exception.packages !== undefined && !exception.packages.map(normalizeName).includes(normalizeName(packageName))) return false;
  if (exception.files !== undefined) {
    const file = subject.kind === "code" || subject.kind === "archive" ? subject.file : undefined;
    if (file === undefined) return false;
    const globs = compileGlobSet(exception.files, "path");
    if (!globs.test(file) && !(root !== "" && file.startsWith(root) && globs.test(file.slice(root.length)))) return false;
  }
  return true;
}
