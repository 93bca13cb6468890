/**
 * Validators for the reports: the official SARIF 2.1.0 schema (vendored beside this file, from
 * oasis-tcs/sarif-spec, Documents/CommitteeSpecifications/2.1.0), GitHub code scanning's
 * documented extra constraints, and the repository's own JSON report schema.
 */
import Ajv, { type ErrorObject } from "ajv";
import addFormats from "ajv-formats";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);

const load = (path: string): object => JSON.parse(readFileSync(path, "utf8")) as object;
const sarifSchema = ajv.compile(load(join(import.meta.dir, "sarif-schema-2.1.0.json")));
const reportSchema = ajv.compile(load(join(import.meta.dir, "..", "..", "schemas", "report.schema.json")));

function describe(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((error) => `${error.instancePath || "/"} ${error.message ?? ""} ${JSON.stringify(error.params)}`);
}

interface GithubResult {
  ruleId?: string;
  locations?: Array<{ physicalLocation?: { artifactLocation?: { uri?: string }; region?: { startLine?: number } } }>;
}

interface GithubLog {
  runs?: Array<{ results?: GithubResult[]; tool?: { driver?: { rules?: Array<{ id?: string; properties?: Record<string, unknown> }> } } }>;
}

/** What GitHub code scanning checks beyond the schema; each problem as a sentence. */
function githubProblems(log: GithubLog): string[] {
  const problems: string[] = [];
  for (const run of log.runs ?? []) {
    const results = run.results ?? [];
    if (results.length > 25_000) problems.push(`${results.length} results: at most 25,000`);
    for (const rule of run.tool?.driver?.rules ?? []) {
      if ((rule.id ?? "").length > 255) problems.push(`rule id longer than 255: ${rule.id}`);
      const severity = rule.properties?.["security-severity"];
      if (typeof severity !== "string" || !/^\d+(\.\d+)?$/.test(severity) || Number(severity) > 10) problems.push(`rule ${rule.id}: security-severity ${String(severity)} is not a number string 0.0-10.0`);
    }
    results.forEach((result, index) => {
      if ((result.ruleId ?? "").length > 255) problems.push(`result ${index}: rule id longer than 255`);
      const physical = result.locations?.[0]?.physicalLocation;
      if (!physical) problems.push(`result ${index} (${result.ruleId}): no physical location`);
      const uri = physical?.artifactLocation?.uri ?? "";
      if (uri === "" || uri.startsWith("/") || /^[a-z][a-z0-9+.-]*:/i.test(uri)) problems.push(`result ${index}: uri '${uri}' is not relative`);
      if (!((physical?.region?.startLine ?? 0) >= 1)) problems.push(`result ${index}: region.startLine ${physical?.region?.startLine} < 1`);
    });
  }
  return problems;
}

/** Every way the log is not what the official schema and GitHub accept; [] when it is. */
export function sarifProblems(log: unknown): string[] {
  const valid = sarifSchema(log);
  return [...(valid ? [] : describe(sarifSchema.errors)), ...githubProblems(log as GithubLog)];
}

export function reportProblems(document: unknown): string[] {
  return reportSchema(document) ? [] : describe(reportSchema.errors);
}
