/**
 * The scan as the user asked for it: the resolved options turned into a plan (src/run/plan.ts)
 * for the orchestrator. `lock` and `install` run the same plan and act on the scanned artifacts.
 */
import { evaluateMarker } from "../inputs/markers.ts";
import type { RequirementSet } from "../core/requirements.ts";
import { loadBuiltinRulePacks } from "../rules/builtin.ts";
import { builtinPlugins, pluginRuleDescriptors } from "../plugins/builtin/index.ts";
import { checkExceptionRuleIds, exceptionFilter } from "../plugins/exceptions.ts";
import { loadPluginFiles } from "../plugins/load.ts";
import { allRules, dynamicRules, loadRulePackFiles, staticRules } from "../rules/loader.ts";
import { type RunOutcome, runPlan } from "../run/orchestrator.ts";
import type { ScanPlan } from "../run/plan.ts";
import type { ResolvedOptions } from "./options.ts";
import { logger } from "./output.ts";
import { auditRunOptions, exemptionsOf } from "./stage-options.ts";
import type { RequirementSetView } from "./requirement-set-output.ts";

/** Requirements whose markers do not apply to the target interpreter are not scanned. */
function applicableSet(view: RequirementSetView): RequirementSet {
  const environment = view.environment;
  const requirements = view.set.requirements.filter((requirement) => !requirement.marker || !environment || evaluateMarker(requirement.marker, environment));
  return { requirements, index: view.index };
}

export async function scanPlan(options: ResolvedOptions, view: RequirementSetView): Promise<ScanPlan> {
  const packs = [...loadBuiltinRulePacks(), ...loadRulePackFiles(options.rulePaths)];
  const plugins = await loadPluginFiles(options.plugins);
  checkExceptionRuleIds(packs, new Set([...allRules(packs).map((rule) => rule.id), ...pluginRuleDescriptors([...builtinPlugins([]), ...plugins]).map((rule) => rule.id)]));
  const set = applicableSet(view);
  return {
    requirements: set,
    names: { allowNames: options.allowNames },
    sandbox: {
      temporaryDirectory: options.temporaryDirectory,
      passEnv: options.passEnv,
      timeouts: { fetch: options.timeoutFetchSeconds, install: options.timeoutInstallSeconds, import: options.timeoutImportSeconds },
      exerciseSeconds: options.exerciseSeconds,
      graceSeconds: options.graceSeconds,
      doNotScan: options.doNotScan,
      traceFile: options.traceFile,
      rules: dynamicRules(packs),
      progress: (message) => logger.info(message),
    },
    static: { rules: staticRules(packs), allowlist: options.allowlist },
    audit: { options: auditRunOptions(options, set.index, view.environment) },
    locks: { requirements: options.lockedRequirementFile, pylock: options.pylockFile },
    report: { format: options.format, exemptions: (audit) => exemptionsOf(options, set.index, audit) },
    log: { warn: (message) => logger.warn(message), debug: (message) => logger.debug(message) },
    exceptions: exceptionFilter(packs),
    plugins,
  };
}

/** Runs the whole check (see runPlan). */
export async function scanAndAudit(options: ResolvedOptions, view: RequirementSetView): Promise<RunOutcome> {
  return runPlan(await scanPlan(options, view));
}
