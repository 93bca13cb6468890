import { loadRuleSet } from "../rules/rule-set.ts";
import type { StaticRule } from "../rules/types.ts";

/** The static rules of the packs compiled into the binary. */
export function builtinStaticRules(): StaticRule[] {
  return loadRuleSet().static;
}
