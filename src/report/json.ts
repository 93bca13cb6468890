import type { Exemptions } from "./exemptions.ts";
import type { Finding } from "../core/finding.ts";
import { findingHeadline } from "./text.ts";

export interface JsonReport {
  verdict: "safe" | "malicious";
  findings: Array<Finding & { message: string }>;
  /** What the run skipped, ignored or accepted; undefined when it stopped before options applied. */
  exemptions?: Exemptions;
}

/** `--format json`: the findings with the same headline the text report prints. */
export function scanReportJson(findings: readonly Finding[], exemptions?: Exemptions): JsonReport {
  return {
    verdict: findings.some((finding) => finding.severity === "block") ? "malicious" : "safe",
    findings: findings.map((finding) => ({ ...finding, message: findingHeadline(finding) })),
    ...(exemptions ? { exemptions } : {}),
  };
}

export function formatScanReportJson(findings: readonly Finding[]): string {
  return JSON.stringify(scanReportJson(findings), null, 2);
}
