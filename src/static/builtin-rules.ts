import { loadBuiltinRulePacks } from "../rules/builtin.ts";
import { staticRules } from "../rules/loader.ts";
import type { StaticRule } from "../rules/types.ts";

/** The static rules of the packs compiled into the binary. */
export function builtinStaticRules(): StaticRule[] {
  return staticRules(loadBuiltinRulePacks());
}
