import type { Severity } from "../core/severity.ts";
import { ExitCode, type ExitCodeValue } from "../core/exit-codes.ts";
import { casesPassed, renderCaseReport, runRuleCases } from "../rule-cases/case-runner.ts";
import { loadRuleSet } from "../rules/rule-set.ts";
import { writeStdout } from "./output.ts";
import type { OutputFormat } from "./options.ts";
import pkg from "../../package.json" with { type: "json" };
import { buildReportModel, type ReportModel, type RuleDescriptor as ReportRuleDescriptor } from "../report/model.ts";

/** What `pipcanary rules` lists about one rule; rules that are not in a YAML pack add their own. */
export interface RuleDescriptor {
  id: string;
  type: ReportRuleDescriptor["kind"];
  severity: Severity;
  pack: string;
  file: string;
  description: string;
  explanation: string;
}

/** The rules of the built-in packs and the packs at `rulePaths`. */
export function packRuleDescriptors(rulePaths: readonly string[]): RuleDescriptor[] {
  return loadRuleSet(rulePaths).rules.map((rule) => ({
    id: rule.id, type: rule.type, severity: rule.severity, pack: rule.source.pack, file: rule.source.file, description: rule.description, explanation: rule.explanation,
  }));
}

/**
 * `pipcanary rules`: every rule that a scan with the same --rules would apply. Loading validates
 * the packs, so this doubles as the check for a pack being written (errors exit 1).
 */
/** The rules as a report without results, for `rules --format sarif`: each rule with its help and severity. */
export function rulesModel(rules: readonly RuleDescriptor[], cwd: string): ReportModel {
  const descriptors = rules.map((rule) => ({ id: rule.id, description: rule.description, explanation: rule.explanation, severity: rule.severity, kind: rule.type }));
  return buildReportModel({ command: "rules", version: pkg.version, exitCode: ExitCode.Safe, cwd, rules: descriptors });
}

export function renderRules(rules: readonly RuleDescriptor[], format: OutputFormat): string {
  if (format === "json") return `${JSON.stringify(rules.map(({ explanation: _explanation, ...row }) => row), null, 2)}
`;
  const width = Math.max(...rules.map((rule) => rule.id.length));
  const line = (rule: RuleDescriptor) => `  ${rule.id.padEnd(width)}  ${rule.type.padEnd(7)}  ${rule.severity.padEnd(5)}  ${rule.description}`;
  const packs = [...new Set(rules.map((rule) => rule.file))];
  const sections = packs.map((file) => [`${file}:`, ...rules.filter((rule) => rule.file === file).map(line)].join("\n"));
  return `${sections.join("\n\n")}\n\n${rules.length} rules in ${packs.length} packs.\n`;
}

/**
 * `pipcanary rules --test DIR`: the cases beside the packs in DIR, run through the real matchers.
 * Exit 1 (invalid input) when a case fails or a rule lacks a case either way.
 */
export async function testRuleCases(dir: string): Promise<ExitCodeValue> {
  const report = await runRuleCases(dir, { python: "python3" });
  await writeStdout(renderCaseReport(report));
  return casesPassed(report) ? ExitCode.Safe : ExitCode.InvalidInput;
}
