/**
 * The scan as the user asked for it: the resolved options turned into a plan (src/run/plan.ts)
 * for the orchestrator. `lock` and `install` run the same plan and act on the scanned artifacts.
 */
import pkg from "../../package.json" with { type: "json" };
import { type AuditRunOptions, createAuditServices } from "../audit/index.ts";
import { scanVerdictCache } from "../cache/for-scan.ts";
import { pluginFilesDigest, rulePacksDigest } from "../cache/verdict-key.ts";
import type { RequirementSet } from "../core/requirements.ts";
import { applicableRequirements } from "../inputs/markers.ts";
import { exceptionFilter } from "../plugins/exceptions.ts";
import { loadPluginFiles } from "../plugins/load.ts";
import { markerSkipped, skippedPackages } from "../report/model.ts";
import { followScanEvents } from "../report/progress.ts";
import { EventStream } from "../events/stream.ts";
import { type RunOutcome, runPlan } from "../run/orchestrator.ts";
import type { ScanPlan } from "../run/plan.ts";
import type { ResolvedOptions } from "./options.ts";
import { logger, startProgress } from "./output.ts";
import { loadRunRuleSet } from "./rule-packs.ts";
import { checkedRules } from "./rules-command.ts";
import { auditRunOptions, exemptionsOf, holdBackIndex } from "./stage-options.ts";
import type { RequirementSetView } from "./requirement-set-output.ts";

/** Requirements whose markers do not apply to the target interpreter are not scanned. */
function applicableSet(view: RequirementSetView): RequirementSet {
  return { requirements: applicableRequirements(view.set.requirements, view.environment), index: view.index };
}

/** The plan, and what must be closed once it ran (the verdict cache's connections, the progress display). */
export async function scanPlan(options: ResolvedOptions, view: RequirementSetView): Promise<{ plan: ScanPlan; close: () => void }> {
  const ruleSet = loadRunRuleSet(options);
  const plugins = await loadPluginFiles(options.plugins);
  checkedRules(ruleSet, plugins);
  // Opened first: a shared cache without its key is refused before anything runs.
  // `install` needs the wheels built from sdists in this run, which a reused verdict does not have.
  const verdictCache = options.command === "install" ? undefined : scanVerdictCache(options, { rulesDigest: `${rulePacksDigest(ruleSet.packs)}\n${pluginFilesDigest(options.plugins)}`, pipcanaryVersion: pkg.version, env: process.env, warn: (message) => logger.warn(message) });
  const set = applicableSet(view);
  const events = new EventStream();
  const auditOptions: AuditRunOptions = {
    ...auditRunOptions(options, set.index, view.environment),
    onPackage: (name, index, total) => events.publish("item-end", { stage: "audit", name, index, total }),
  };
  const services = await createAuditServices(auditOptions);
  const holdBack = holdBackIndex(options, set, services.index);
  const progress = startProgress();
  if (progress) followScanEvents(progress, events);
  const plan: ScanPlan = {
    events,
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
      rules: ruleSet.dynamic,
      holdBack,
      verdictCache,
      progress: progress ? (message) => progress.note(message) : (message) => logger.info(message),
    },
    static: { rules: ruleSet.static, allowlist: options.allowlist, factsCache: { dir: options.cacheDir, warn: (message) => logger.warn(message) } },
    audit: { options: auditOptions, services },
    locks: { requirements: options.lockedRequirementFile, pylock: options.pylockFile },
    report: {
      format: options.format,
      quiet: options.quiet,
      cwd: options.cwd,
      exemptions: (audit) => exemptionsOf(options, set.index, audit, holdBack, ruleSet.packs),
      skipped: [...skippedPackages(options.doNotScan), ...markerSkipped(view.set.requirements, view.environment)],
    },
    log: { warn: (message) => logger.warn(message), debug: (message) => logger.debug(message) },
    exceptions: exceptionFilter(ruleSet.packs),
    plugins,
  };
  const close = () => {
    verdictCache?.cache.close();
    progress?.close();
  };
  return { plan, close };
}

/** Runs the whole check (see runPlan). */
export async function scanAndAudit(options: ResolvedOptions, view: RequirementSetView): Promise<RunOutcome> {
  const { plan, close } = await scanPlan(options, view);
  try {
    return await runPlan(plan);
  } finally {
    close();
  }
}
