/**
 * The detections that are code rather than YAML rules, as built-in plugins: each declares the
 * rule ids it reports, so `pipcanary rules` lists every id a scan can report.
 */
import type { Plugin, PluginRule } from "../api.ts";
import { egressPlugin } from "./egress.ts";
import { namesPlugin } from "./names.ts";
import { onlyBinaryPlugin } from "./only-binary.ts";
import { sandboxIntegrityPlugin } from "./sandbox-integrity.ts";

export function builtinPlugins(onlyBinary: readonly string[]): Plugin[] {
  return [namesPlugin, egressPlugin, sandboxIntegrityPlugin, onlyBinaryPlugin(onlyBinary)];
}

/** A rule a plugin declares, with the plugin it comes from (for `pipcanary rules`). */
export interface PluginRuleDescriptor extends PluginRule {
  plugin: string;
}

export function pluginRuleDescriptors(plugins: readonly Plugin[]): PluginRuleDescriptor[] {
  return plugins.flatMap((plugin) => plugin.rules.map((rule) => ({ ...rule, plugin: plugin.name })));
}
