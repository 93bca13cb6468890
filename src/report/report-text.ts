/**
 * The human report from the model: the seeds' wording for findings and the audit, every
 * exemption and skipped package, and the closing line. `quiet` keeps only the verdict line.
 */
import { renderAuditText } from "../audit/report.ts";
import type { Finding } from "../core/finding.ts";
import { cacheLine } from "../cache/scan-seam.ts";
import { exemptionLines } from "./exemptions.ts";
import type { ReportModel } from "./model.ts";
import { closingLine, formatScanReport, formatWarning } from "./text.ts";

export interface TextOptions {
  quiet?: boolean;
}

function scanFindings(model: ReportModel): Finding[] {
  return model.findings.flatMap((finding) => (finding.source ? [finding.source] : []));
}

/** What the run skipped, ignored or accepted (the --do-not-scan packages among the exemptions, requirements excluded by markers on their own). */
function notes(model: ReportModel): string[] {
  const byMarker = model.skipped.filter((skipped) => skipped.cause === "marker").map((skipped) => `Not scanned: ${skipped.name} (${skipped.reason}).`);
  return [...(model.exemptions ? exemptionLines(model.exemptions) : []), ...byMarker, ...(model.verdictFromCache ? [cacheLine(model.verdictFromCache)] : []), ...traceProblemLines(model.traceProblems)];
}

function traceProblemLines(count: number): string[] {
  return count === 0 ? [] : [`${count} line(s) of the trace could not be read and were not matched against the rules; --log-level debug shows each.`];
}

/** One line that says how the run ended. */
function verdictLine(model: ReportModel): string {
  if (model.failure) return `pipcanary: error: ${model.failure.message}`;
  const blocking = model.findings.find((finding) => finding.severity === "block");
  if (model.verdict === "safe") return closingLine(scanFindings(model));
  if (blocking) {
    const names = [...new Set(model.findings.filter((finding) => finding.severity === "block").map((finding) => finding.package ?? "pip"))];
    return `${blocking.message} Blocking findings in: ${names.join(", ")} (exit ${model.exitCode}).`;
  }
  return `Not safe: ${model.verdict} (exit ${model.exitCode}).`;
}

function scanText(model: ReportModel): string {
  const findings = scanFindings(model);
  const blocked = findings.some((finding) => finding.severity === "block");
  if (!model.audit) return `${formatScanReport(findings, notes(model))}\n`;
  // A stopped scan's audit of what was resolved (when the run made one) follows the finding.
  if (blocked) return `${formatScanReport(findings, notes(model))}\n\n${renderAuditText(model.audit)}`;
  // The audit itself names every known-malware match --allow-known-malware let through.
  const warnings = findings.filter((finding) => finding.severity === "warn" && finding.subject.kind !== "known-malware").map(formatWarning);
  const verdict = model.verdict === "safe" ? [closingLine(findings)] : [];
  return `${[...warnings, ...notes(model), renderAuditText(model.audit).trimEnd(), ...verdict].join("\n")}\n`;
}

export function formatReportText(model: ReportModel, options: TextOptions = {}): string {
  if (options.quiet || model.failure) return `${verdictLine(model)}\n`;
  if (model.command === "audit" && model.audit) return [...notes(model), renderAuditText(model.audit)].join("\n");
  return scanText(model);
}
