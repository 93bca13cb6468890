/** One entry point for every format, so that stdout and each -o file render the same model. */
import { formatReportJson } from "./json.ts";
import type { ReportModel } from "./model.ts";
import { formatReportText } from "./report-text.ts";
import { formatSarif } from "./sarif.ts";

export type ReportFormat = "text" | "json" | "sarif";

export function renderReport(model: ReportModel, format: ReportFormat, options: { quiet?: boolean } = {}): string {
  if (format === "json") return formatReportJson(model);
  if (format === "sarif") return formatSarif(model);
  return formatReportText(model, options);
}
