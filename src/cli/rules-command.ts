import { AUDIT_RULES } from "../audit/audit-rules.ts";
import pkg from "../../package.json" with { type: "json" };
import { ExitCode, type ExitCodeValue } from "../core/exit-codes.ts";
import type { Severity } from "../core/severity.ts";
import type { Plugin } from "../plugins/api.ts";
import { builtinPlugins, type PluginRuleDescriptor, pluginRuleDescriptors } from "../plugins/builtin/index.ts";
import { yamlPlugins } from "../plugins/builtin/yaml-rules.ts";
import { checkExceptionRuleIds } from "../plugins/exceptions.ts";
import { checkRuleIds } from "../plugins/host.ts";
import { buildReportModel, type ReportModel, type RuleDescriptor as ReportRuleDescriptor } from "../report/model.ts";
import { casesPassed, renderCaseReport, runRuleCases } from "../rule-cases/case-runner.ts";
import type { RuleSet } from "../rules/rule-set.ts";
import { loadRunRuleSet } from "./rule-packs.ts";
import type { OutputFormat } from "./options.ts";
import { writeStdout } from "./output.ts";

/** What `pipcanary rules` lists about one rule: a YAML pack's or a plugin's (built-in or --plugin). */
export interface RuleDescriptor {
  id: string;
  type: ReportRuleDescriptor["kind"];
  severity: Severity;
  /** The pack's file, or `plugin NAME`. */
  from: string;
  /** The pack's name, for pack rules. */
  pack: string | undefined;
  /** The plugin's name, for plugin rules. */
  plugin: string | undefined;
  description: string;
  explanation: string;
}

/**
 * The rules of one list of plugins: the YAML engines' (the packs' rules), then the built-in and
 * given plugins'. Checks that no two declare one id and that every rule id the packs'
 * `exceptions:` name exists (errors exit 1); a scan runs the same check before it starts.
 */
export function checkedRules(ruleSet: RuleSet, plugins: readonly Plugin[]): PluginRuleDescriptor[] {
  const everyPlugin = [...yamlPlugins(ruleSet.rules), ...builtinPlugins(), ...plugins];
  checkRuleIds(everyPlugin);
  const rules = pluginRuleDescriptors(everyPlugin);
  checkExceptionRuleIds(ruleSet.packs, new Set(rules.map((rule) => rule.id)));
  return rules;
}

/**
 * Every rule a scan with the same --rules and --plugin can report: the packs' rules listed by
 * pack, then the plugins', then the audit's. Loading validates the packs, so this doubles as the
 * check for a pack being written.
 */
export function ruleDescriptors(rulePaths: readonly string[], plugins: readonly Plugin[] = [], projectRulePaths: readonly string[] = []): RuleDescriptor[] {
  const ruleSet = loadRunRuleSet({ rulePaths, projectRulePaths });
  const rules = checkedRules(ruleSet, plugins);
  const packRules = new Map(ruleSet.rules.map((rule, index) => [rule.id, { rule, index }]));
  // Pack rules in the packs' order (the engines split them by kind), then the plugins' in theirs.
  const rank = (id: string) => packRules.get(id)?.index ?? packRules.size;
  const described = rules.map(({ id, severity, description, explanation, plugin }): RuleDescriptor => {
    const packRule = packRules.get(id)?.rule;
    return packRule
      ? { id, type: packRule.type, severity, from: packRule.source.file, pack: packRule.source.pack, plugin: undefined, description, explanation }
      : { id, type: "plugin", severity, from: `plugin ${plugin}`, pack: undefined, plugin, description, explanation };
  });
  const audit = AUDIT_RULES.map(({ id, severity, description, explanation }): RuleDescriptor => ({ id, type: "audit", severity, from: "audit", pack: undefined, plugin: undefined, description, explanation }));
  return [...described.sort((a, b) => rank(a.id) - rank(b.id)), ...audit];
}

/** The rules as a report without results, for `rules --format sarif`: each rule with its help and severity. */
export function rulesModel(rules: readonly RuleDescriptor[], cwd: string): ReportModel {
  const descriptors = rules.map((rule) => ({ id: rule.id, description: rule.description, explanation: rule.explanation, severity: rule.severity, kind: rule.type }));
  return buildReportModel({ command: "rules", version: pkg.version, exitCode: ExitCode.Safe, cwd, rules: descriptors });
}

export function renderRules(rules: readonly RuleDescriptor[], format: OutputFormat): string {
  if (format === "json") {
    const rows = rules.map((rule) =>
      rule.plugin !== undefined
        ? { id: rule.id, type: rule.type, severity: rule.severity, plugin: rule.plugin, description: rule.description }
        : rule.pack !== undefined
          ? { id: rule.id, type: rule.type, severity: rule.severity, pack: rule.pack, file: rule.from, description: rule.description }
          : { id: rule.id, type: rule.type, severity: rule.severity, description: rule.description },
    );
    return `${JSON.stringify(rows, null, 2)}\n`;
  }
  const width = Math.max(...rules.map((rule) => rule.id.length));
  const line = (rule: RuleDescriptor) => `  ${rule.id.padEnd(width)}  ${rule.type.padEnd(7)}  ${rule.severity.padEnd(5)}  ${rule.description}`;
  const sources = [...new Set(rules.map((rule) => rule.from))];
  const sections = sources.map((from) => [`${from}:`, ...rules.filter((rule) => rule.from === from).map(line)].join("\n"));
  const count = (key: "pack" | "plugin") => new Set(rules.flatMap((rule) => (rule[key] === undefined ? [] : [rule[key]]))).size;
  const audit = rules.filter((rule) => rule.type === "audit").length;
  // Known vulnerabilities are reported under their advisory ids, which come from the databases.
  return `${sections.join("\n\n")}\n\n${rules.length} rules in ${count("pack")} packs, ${count("plugin")} plugins and the audit (${audit}; known vulnerabilities are reported under their advisory ids).\n`;
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
