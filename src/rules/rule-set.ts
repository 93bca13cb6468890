import credentials from "../../rules/behaviour-credentials.yaml" with { type: "text" };
import execution from "../../rules/behaviour-execution.yaml" with { type: "text" };
import network from "../../rules/behaviour-network.yaml" with { type: "text" };
import persistence from "../../rules/behaviour-persistence.yaml" with { type: "text" };
import system from "../../rules/behaviour-system.yaml" with { type: "text" };
import venv from "../../rules/behaviour-venv.yaml" with { type: "text" };
import staticArchive from "../../rules/static-archive.yaml" with { type: "text" };
import staticBinaries from "../../rules/static-binaries.yaml" with { type: "text" };
import staticCode from "../../rules/static-code.yaml" with { type: "text" };
import staticCredentials from "../../rules/static-credentials.yaml" with { type: "text" };
import staticEvasion from "../../rules/static-evasion.yaml" with { type: "text" };
import staticStartup from "../../rules/static-startup.yaml" with { type: "text" };
import { allRules, loadRulePacks, parseRulePack } from "./loader.ts";
import type { DynamicRule, Rule, RulePack, StaticRule } from "./types.ts";

/** The packs compiled into the binary, by the name their errors and findings refer to. */
const BUILTIN_SOURCES: ReadonlyArray<readonly [string, unknown]> = [
  ["rules/behaviour-credentials.yaml", credentials],
  ["rules/behaviour-system.yaml", system],
  ["rules/behaviour-persistence.yaml", persistence],
  ["rules/behaviour-network.yaml", network],
  ["rules/behaviour-execution.yaml", execution],
  ["rules/behaviour-venv.yaml", venv],
  ["rules/static-archive.yaml", staticArchive],
  ["rules/static-binaries.yaml", staticBinaries],
  ["rules/static-code.yaml", staticCode],
  ["rules/static-credentials.yaml", staticCredentials],
  ["rules/static-evasion.yaml", staticEvasion],
  ["rules/static-startup.yaml", staticStartup],
];

let cached: RulePack[] | undefined;

/** Parses (once) and returns the built-in rule packs, behavioural and static. */
function loadBuiltinRulePacks(): RulePack[] {
  cached ??= BUILTIN_SOURCES.map(([file, text]) => {
    if (typeof text !== "string") throw new Error(`${file} was not embedded as text`);
    return parseRulePack(file, text);
  });
  return cached;
}

/** The rules a scan applies: the built-in packs and the user's `--rules` packs, split by kind. */
export interface RuleSet {
  packs: RulePack[];
  rules: Rule[];
  dynamic: DynamicRule[];
  static: StaticRule[];
}

/**
 * The one place rules are loaded: the built-in packs plus the packs at `userPackPaths` (files or
 * directories). Throws RuleValidationError for a pack that does not validate, or a rule id two
 * packs both define.
 */
export function loadRuleSet(userPackPaths: readonly string[] = []): RuleSet {
  const packs = [...loadBuiltinRulePacks(), ...loadRulePacks(userPackPaths)];
  const rules = allRules(packs);
  return {
    packs,
    rules,
    dynamic: rules.filter((rule): rule is DynamicRule => rule.type === "dynamic"),
    static: rules.filter((rule): rule is StaticRule => rule.type === "static"),
  };
}
