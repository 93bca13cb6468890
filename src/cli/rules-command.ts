import { loadBuiltinRulePacks } from "../rules/builtin.ts";
import { allRules, loadRulePackFiles } from "../rules/loader.ts";
import type { Rule } from "../rules/types.ts";
import type { Plugin } from "../plugins/api.ts";
import { builtinPlugins, pluginRuleDescriptors } from "../plugins/builtin/index.ts";
import { checkExceptionRuleIds } from "../plugins/exceptions.ts";
import type { OutputFormat } from "./options.ts";

/**
 * `pipcanary rules`: every rule that a scan with the same --rules would apply. Loading validates
 * the packs, so this doubles as the check for a pack being written (errors exit 1).
 */
export function renderRules(rulePaths: readonly string[], format: OutputFormat, plugins: readonly Plugin[] = []): string {
  const packs = [...loadBuiltinRulePacks(), ...loadRulePackFiles(rulePaths)];
  const rules = allRules(packs);
  const pluginRules = pluginRuleDescriptors([...builtinPlugins([]), ...plugins]);
  checkExceptionRuleIds(packs, new Set([...rules, ...pluginRules].map((rule) => rule.id)));
  if (format === "json") {
    const rows = [
      ...rules.map((rule) => ({ id: rule.id, type: rule.type, severity: rule.severity, pack: rule.source.pack, file: rule.source.file, description: rule.description })),
      ...pluginRules.map((rule) => ({ id: rule.id, type: "plugin", severity: rule.severity, plugin: rule.plugin, description: rule.description })),
    ];
    return `${JSON.stringify(rows, null, 2)}\n`;
  }
  const width = Math.max(...[...rules, ...pluginRules].map((rule) => rule.id.length));
  const line = (rule: { id: string; severity: string; description: string }, type: string) => `  ${rule.id.padEnd(width)}  ${type.padEnd(7)}  ${rule.severity.padEnd(5)}  ${rule.description}`;
  const packFiles = [...new Set(rules.map((rule) => rule.source.file))];
  const sections = packFiles.map((file) => [`${file}:`, ...rules.filter((rule) => rule.source.file === file).map((rule: Rule) => line(rule, rule.type))].join("\n"));
  const pluginNames = [...new Set(pluginRules.map((rule) => rule.plugin))];
  const pluginSections = pluginNames.map((name) => [`plugin ${name}:`, ...pluginRules.filter((rule) => rule.plugin === name).map((rule) => line(rule, "plugin"))].join("\n"));
  const total = rules.length + pluginRules.length;
  return `${[...sections, ...pluginSections].join("\n\n")}\n\n${total} rules in ${packFiles.length} packs and ${pluginNames.length} plugins.\n`;
}
