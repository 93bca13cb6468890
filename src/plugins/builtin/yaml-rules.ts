import type { Rule } from "../../rules/types.ts";
import { definePlugin, type Plugin } from "../api.ts";

function rulesPlugin(name: string, rules: readonly Rule[]): Plugin {
  return definePlugin({
    name,
    api: "^1.0.0",
    rules: rules.map(({ id, severity, description, explanation }) => ({ id, severity, description, explanation })),
  });
}

/**
 * The YAML rule engines as built-in plugins whose rules are the loaded packs' rules, so pack rules,
 * built-in detections and user plugins form one list of rule ids (`pipcanary rules`, the plugin
 * host's check that no two declare one id). They declare rules only: the behavioural matcher runs
 * inside the phase trace (it must stop the sandbox on the first blocking finding, synchronously),
 * the static matcher in the static stage.
 */
export function yamlPlugins(rules: readonly Rule[]): Plugin[] {
  return [rulesPlugin("builtin:yaml-behaviour", rules.filter((rule) => rule.type === "dynamic")), rulesPlugin("builtin:yaml-static", rules.filter((rule) => rule.type === "static"))];
}
