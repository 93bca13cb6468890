/**
 * Rule packs' `exceptions:` entries, which name a rule by id: how a pack excepts findings of a
 * plugin's rules (built-in or a user's) or of another pack's rules. Applied to every finding of a
 * run where it is reported, so an excepted finding neither blocks nor shows.
 */
import { InputError } from "../core/errors.ts";
import type { Finding } from "../core/finding.ts";
import { compileGlob } from "../core/glob.ts";
import type { RuleIdException, RulePack } from "../rules/types.ts";

export type ExceptionFilter = (finding: Finding) => boolean;

function matches(exception: RuleIdException, packages: RegExp[] | undefined, finding: Finding): boolean {
  if (exception.rule !== finding.ruleId) return false;
  if (exception.phases && !exception.phases.includes(finding.phase)) return false;
  if (exception.unattributed !== undefined && exception.unattributed !== (finding.package === undefined)) return false;
  if (packages) {
    const name = finding.package;
    if (name === undefined || !packages.some((glob) => glob.test(name))) return false;
  }
  return true;
}

/** True for a finding one of the packs' `exceptions:` drops. */
export function exceptionFilter(packs: readonly RulePack[]): ExceptionFilter {
  const compiled = packs.flatMap((pack) => pack.exceptions ?? []).map((exception) => ({ exception, packages: exception.packages?.map((glob) => compileGlob(glob, "name")) }));
  if (compiled.length === 0) return () => false;
  return (finding) => compiled.some(({ exception, packages }) => matches(exception, packages, finding));
}

/** An exception to a rule id nothing declares is a typo that would silently except nothing. */
export function checkExceptionRuleIds(packs: readonly RulePack[], knownIds: ReadonlySet<string>): void {
  for (const pack of packs) {
    for (const [index, exception] of (pack.exceptions ?? []).entries()) {
      if (!knownIds.has(exception.rule)) {
        throw new InputError(
          `${pack.source}: exceptions[${index}].rule: '${exception.rule}' is not the id of any rule or plugin rule`,
          undefined,
          "`pipcanary rules` lists every rule id (add --plugin FILE for a plugin's)",
        );
      }
    }
  }
}
