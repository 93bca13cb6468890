import { loadBuiltinRulePacks } from "../rules/builtin.ts";
import { allRules, loadRulePackFiles } from "../rules/loader.ts";
import type { Rule } from "../rules/types.ts";
import type { OutputFormat } from "./options.ts";
import pkg from "../../package.json" with { type: "json" };
import { ExitCode } from "../core/exit-codes.ts";
import { buildReportModel, type ReportModel } from "../report/model.ts";

/**
 * `pipcanary rules`: every rule that a scan with the same --rules would apply. Loading validates
 * the packs, so this doubles as the check for a pack being written (errors exit 1).
 */
/** The rules as a report without results, for `rules --format sarif`: each rule with its help and severity. */
export function rulesModel(rulePaths: readonly string[], cwd: string): ReportModel {
  const rules = allRules([...loadBuiltinRulePacks(), ...loadRulePackFiles(rulePaths)]);
  const descriptors = rules.map((rule) => ({ id: rule.id, description: rule.description, explanation: rule.explanation, severity: rule.severity, kind: rule.type }));
  return buildReportModel({ command: "rules", version: pkg.version, exitCode: ExitCode.Safe, cwd, rules: descriptors });
}

export function renderRules(rulePaths: readonly string[], format: OutputFormat): string {
  const rules = allRules([...loadBuiltinRulePacks(), ...loadRulePackFiles(rulePaths)]);
  if (format === "json") {
    const rows = rules.map((rule) => ({ id: rule.id, type: rule.type, severity: rule.severity, pack: rule.source.pack, file: rule.source.file, description: rule.description }));
    return `${JSON.stringify(rows, null, 2)}\n`;
  }
  const width = Math.max(...rules.map((rule) => rule.id.length));
  const line = (rule: Rule) => `  ${rule.id.padEnd(width)}  ${rule.type.padEnd(7)}  ${rule.severity.padEnd(5)}  ${rule.description}`;
  const packs = [...new Set(rules.map((rule) => rule.source.file))];
  const sections = packs.map((file) => [`${file}:`, ...rules.filter((rule) => rule.source.file === file).map(line)].join("\n"));
  return `${sections.join("\n\n")}\n\n${rules.length} rules in ${packs.length} packs.\n`;
}
