import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseRulePack } from "../rules/loader.ts";
import type { StaticRule } from "../rules/types.ts";

/** Static rules of the rule packs in a folder (files named static-*.yaml), for tests and benchmarks. */
export function loadStaticRulesFrom(folder: string): StaticRule[] {
  return readdirSync(folder)
    .filter((file) => /^static-.*\.ya?ml$/.test(file))
    .sort()
    .flatMap((file) => parseRulePack(file, readFileSync(join(folder, file), "utf8")).rules)
    .filter((rule): rule is StaticRule => rule.type === "static");
}
