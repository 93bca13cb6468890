/** The one place a finished run becomes the text, JSON or SARIF the user reads on stdout. */
import pkg from "../../package.json" with { type: "json" };
import { type AuditReport, auditReportJson, renderAuditText } from "../audit/index.ts";
import { ExitCode, type ExitCodeValue } from "../core/exit-codes.ts";
import type { Finding } from "../core/finding.ts";
import type { InstalledDistribution } from "../core/artifact.ts";
import { exemptionLines } from "../report/exemptions.ts";
import { scanReportJson } from "../report/json.ts";
import { renderSarif } from "../report/sarif.ts";
import { closingLine, formatScanReport, formatWarning } from "../report/text.ts";
import type { ScanPlan } from "./plan.ts";

export interface RunReport {
  findings: readonly Finding[];
  installed: readonly InstalledDistribution[];
  audit: AuditReport | undefined;
  exitCode: ExitCodeValue;
  /** strace lines the parser could not read (each shown with --log-level debug). */
  traceProblems: number;
}

function traceProblemLines(count: number): string[] {
  return count === 0 ? [] : [`${count} line(s) of the trace could not be read and were not matched against the rules; --log-level debug shows each.`];
}

export function renderReport(plan: ScanPlan, run: RunReport): string {
  const { findings, audit, exitCode } = run;
  const exemptions = plan.report.exemptions(audit);
  const format = plan.report.format;
  if (format === "sarif") return `${JSON.stringify(renderSarif(findings, pkg.version, exemptions), null, 2)}\n`;
  if (format === "json") {
    const installed = run.installed.map((dist) => ({
      name: dist.name,
      version: dist.version,
      direct: dist.direct,
      artifacts: dist.artifacts.map((artifact) => ({ filename: artifact.filename, sha256: artifact.sha256, url: artifact.url ?? null })),
    }));
    const document = { exitCode, ...scanReportJson(findings, exemptions), installed, traceProblems: run.traceProblems, audit: audit ? auditReportJson(audit) : null };
    return `${JSON.stringify(document, null, 2)}\n`;
  }
  const notes = [...exemptionLines(exemptions), ...traceProblemLines(run.traceProblems)];
  const blocked = findings.some((finding) => finding.severity === "block");
  if (blocked || !audit) return `${formatScanReport(findings, notes)}\n`;
  // The audit itself names every known-malware match --allow-known-malware let through.
  const warnings = findings.filter((finding) => finding.severity === "warn" && finding.subject.kind !== "known-malware").map(formatWarning);
  const verdict = exitCode === ExitCode.Safe ? [closingLine(findings)] : [];
  return `${[...warnings, ...notes, renderAuditText(audit).trimEnd(), ...verdict].join("\n")}\n`;
}
