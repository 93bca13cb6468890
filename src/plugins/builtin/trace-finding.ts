import type { BehaviouralFinding } from "../../core/finding.ts";
import type { PluginRule } from "../api.ts";

/** What a trace finding says beyond its rule. */
export type TraceFindingFields = Omit<BehaviouralFinding, "source" | "ruleId" | "severity" | "description" | "explanation">;

/** A finding the phase trace builds itself, from a built-in plugin's rule; `explanation` replaces the rule's when the finding says more. */
export function traceFinding(rule: PluginRule, fields: TraceFindingFields, explanation = rule.explanation): BehaviouralFinding {
  return { source: "behavioural", ruleId: rule.id, severity: rule.severity, description: rule.description, explanation, ...fields };
}
