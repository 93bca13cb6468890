/**
 * `--format json`: one versioned shape for scan and audit, described by schemas/report.schema.json.
 * Absent values are null, never left out, so that consumers can tell "none" from "not run".
 */
import { type AuditReportJson, auditReportJson } from "../audit/report.ts";
import { findingDetails, type FindingSubject } from "../core/finding.ts";
import type { Exemptions } from "./exemptions.ts";
import type { FindingKind, ReportModel, SkippedPackage, Verdict, VerdictFromCache } from "./model.ts";

export interface JsonFinding {
  kind: FindingKind;
  ruleId: string;
  severity: string;
  package: string | null;
  version: string | null;
  phase: string | null;
  message: string;
  description: string;
  explanation: string;
  location: { file: string; line: number; chain: string[]; chainKnown: boolean } | null;
  sha256: string[];
  fingerprint: string;
  subject: FindingSubject | null;
  syscall: string | null;
  argv: string[] | null;
}

export interface JsonReport {
  schemaVersion: string;
  tool: { name: string; version: string };
  command: string;
  verdict: Verdict;
  exitCode: number;
  failure: { message: string; hint: string | null } | null;
  findings: JsonFinding[];
  installed: Array<{ name: string; version: string; direct: boolean; artifacts: Array<{ filename: string; sha256: string; url: string | null }> }> | null;
  audit: AuditReportJson | null;
  exemptions: Exemptions | null;
  skipped: SkippedPackage[];
  verdictFromCache: VerdictFromCache | null;
  traceProblems: number;
}

export function reportJson(model: ReportModel): JsonReport {
  return {
    schemaVersion: model.schemaVersion,
    tool: model.tool,
    command: model.command,
    verdict: model.verdict,
    exitCode: model.exitCode,
    failure: model.failure ? { message: model.failure.message, hint: model.failure.hint ?? null } : null,
    findings: model.findings.map((finding) => ({
      kind: finding.kind,
      ruleId: finding.ruleId,
      severity: finding.severity,
      package: finding.package ?? null,
      version: finding.version ?? null,
      phase: finding.phase ?? null,
      message: finding.message,
      description: finding.description,
      explanation: finding.explanation,
      location: finding.location ? { file: finding.location.file, line: finding.location.line, chain: finding.location.chain, chainKnown: finding.location.chainKnown } : null,
      sha256: finding.sha256,
      fingerprint: finding.fingerprint,
      subject: finding.source?.subject ?? null,
      syscall: (finding.source && findingDetails(finding.source).syscall) ?? null,
      argv: (finding.source && findingDetails(finding.source).argv) ?? null,
    })),
    installed: model.installed?.map((dist) => ({ ...dist, artifacts: dist.artifacts.map((artifact) => ({ ...artifact, url: artifact.url ?? null })) })) ?? null,
    audit: model.audit ? auditReportJson(model.audit) : null,
    exemptions: model.exemptions ?? null,
    skipped: model.skipped,
    verdictFromCache: model.verdictFromCache ?? null,
    traceProblems: model.traceProblems,
  };
}

export function formatReportJson(model: ReportModel): string {
  return `${JSON.stringify(reportJson(model), null, 2)}\n`;
}
