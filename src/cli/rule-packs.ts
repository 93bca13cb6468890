/**
 * The rule packs a run loads, with the one rule the CLI adds: a pack named in [tool.pipcanary] may
 * add rules but not except any (`exceptions:`), because a change to a repository's project file
 * must never be able to switch a detection off.
 */
import { InputError } from "../core/errors.ts";
import { loadRuleSet, type RuleSet } from "../rules/rule-set.ts";
import type { RulePack } from "../rules/types.ts";

function fromProject(pack: RulePack, projectRulePaths: readonly string[]): boolean {
  return projectRulePaths.some((path) => pack.source === path || pack.source.startsWith(`${path}/`));
}

export function loadRunRuleSet(options: { rulePaths: readonly string[]; projectRulePaths: readonly string[] }): RuleSet {
  const ruleSet = loadRuleSet(options.rulePaths);
  const excepting = ruleSet.packs.find((pack) => (pack.exceptions?.length ?? 0) > 0 && fromProject(pack, options.projectRulePaths));
  if (excepting) {
    throw new InputError(
      `${excepting.source}: a rule pack named in [tool.pipcanary] cannot carry 'exceptions:': a project file must not be able to switch a detection off`,
      undefined,
      "pass the pack on the command line (--rules FILE) or in PIPCANARY_RULES instead",
    );
  }
  return ruleSet;
}
