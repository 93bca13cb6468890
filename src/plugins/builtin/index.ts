/**
 * The detections that are code rather than YAML rules, as built-in plugins: each owns the rules it
 * reports, so `pipcanary rules` lists every id a scan can report and packs can except them.
 */
import type { Plugin, PluginRule } from "../api.ts";
import { egressPlugin } from "./egress.ts";
import { exerciseCoveragePlugin } from "./exercise-coverage.ts";
import { namesPlugin } from "./names.ts";
import { onlyBinaryPlugin } from "./only-binary.ts";
import { sandboxIntegrityPlugin } from "./sandbox-integrity.ts";

/** What the built-in plugins are built with; the defaults are what `pipcanary rules` lists. */
export interface BuiltinPluginOptions {
  /** `--only-binary`: normalised project names, or `:all:`. */
  onlyBinary: readonly string[];
  /** `--allow-name`: look-alike names accepted; undefined leaves the name check out. */
  allowNames: readonly string[] | undefined;
}

export function builtinPlugins({ onlyBinary, allowNames }: BuiltinPluginOptions = { onlyBinary: [], allowNames: [] }): Plugin[] {
  return [...(allowNames ? [namesPlugin(allowNames)] : []), egressPlugin, sandboxIntegrityPlugin, exerciseCoveragePlugin, onlyBinaryPlugin(onlyBinary)];
}

/** A rule a plugin declares, with the plugin it comes from (for `pipcanary rules`). */
export interface PluginRuleDescriptor extends PluginRule {
  plugin: string;
}

export function pluginRuleDescriptors(plugins: readonly Plugin[]): PluginRuleDescriptor[] {
  return plugins.flatMap((plugin) => plugin.rules.map((rule) => ({ ...rule, plugin: plugin.name })));
}
