/** The one place a finished run becomes the report model, and the text, JSON or SARIF the user reads on stdout. */
import pkg from "../../package.json" with { type: "json" };
import type { AuditReport } from "../audit/index.ts";
import type { InstalledDistribution } from "../core/artifact.ts";
import type { ExitCodeValue } from "../core/exit-codes.ts";
import type { Finding } from "../core/finding.ts";
import { buildReportModel, type ReportModel, type VerdictFromCache } from "../report/model.ts";
import { renderReport } from "../report/render.ts";
import type { ScanPlan } from "./plan.ts";

export interface RunReport {
  findings: readonly Finding[];
  installed: readonly InstalledDistribution[] | undefined;
  audit: AuditReport | undefined;
  exitCode: ExitCodeValue;
  /** strace lines the parser could not read (each shown with --log-level debug). */
  traceProblems: number;
  /** Normalised name → what it requires, for the chains of transitive packages. */
  dependencies: ReadonlyMap<string, readonly string[]> | undefined;
  verdictFromCache: VerdictFromCache | undefined;
}

export function reportOf(plan: ScanPlan, run: RunReport): { model: ReportModel; output: string } {
  const model = buildReportModel({
    command: "scan",
    version: pkg.version,
    exitCode: run.exitCode,
    cwd: plan.report.cwd,
    requirements: plan.requirements.requirements,
    findings: run.findings,
    audit: run.audit,
    installed: run.installed,
    exemptions: plan.report.exemptions(run.audit),
    skipped: plan.report.skipped,
    dependencies: run.dependencies,
    verdictFromCache: run.verdictFromCache,
    traceProblems: run.traceProblems,
  });
  return { model, output: renderReport(model, plan.report.format, { quiet: plan.report.quiet }) };
}
