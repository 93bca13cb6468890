import type { Exemptions } from "./exemptions.ts";
import { type Finding, type FindingBase, type FindingDetails, findingDetails, type FindingSubject } from "../core/finding.ts";
import { findingHeadline } from "./text.ts";

/** One finding as `--format json` prints it: the same flat fields for every kind of finding. */
export interface JsonFinding extends FindingBase, FindingDetails {
  subject: FindingSubject;
  message: string;
}

export interface JsonReport {
  verdict: "safe" | "malicious";
  findings: JsonFinding[];
  /** What the run skipped, ignored or accepted; undefined when it stopped before options applied. */
  exemptions?: Exemptions;
}

function jsonFinding(finding: Finding): JsonFinding {
  const { ruleId, severity, description, explanation, package: packageName, phase, subject } = finding;
  return { ruleId, severity, description, explanation, package: packageName, phase, subject, ...findingDetails(finding), message: findingHeadline(finding) };
}

/** `--format json`: the findings with the same headline the text report prints. */
export function scanReportJson(findings: readonly Finding[], exemptions?: Exemptions): JsonReport {
  return {
    verdict: findings.some((finding) => finding.severity === "block") ? "malicious" : "safe",
    findings: findings.map(jsonFinding),
    ...(exemptions ? { exemptions } : {}),
  };
}
