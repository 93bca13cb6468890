/**
 * What each command does, given its resolved options. `scan`, `lock` and `install` run the
 * orchestrator (src/run) on a plan built in scan-command.ts.
 */
import { ExitCode, type ExitCodeValue } from "../core/exit-codes.ts";
import { MissingPreconditionError } from "../core/errors.ts";
import { loadRequirementSet } from "../inputs/load.ts";
import { getTargetEnvironment } from "../inputs/target-environment.ts";
import type { IndexOptions, TargetEnvironment } from "../core/requirements.ts";
import { runAuditCommand } from "../audit/command.ts";
import { cacheClean, cacheInfo, renderCacheInfo } from "../index/cache.ts";
import { evaluateMarker } from "../inputs/markers.ts";
import { isPylockPath } from "../lock/pylock-read.ts";
import { InputError } from "../core/errors.ts";
import { auditRunOptions, exemptionsOf } from "./stage-options.ts";
import { scanAndAudit } from "./scan-command.ts";
import { renderRules } from "./rules-command.ts";
import { loadPluginFiles } from "../plugins/load.ts";
import { installScannedArtifacts } from "./install-artifacts.ts";
import type { ScanResult } from "../pipeline/scan.ts";
import { type ResolvedOptions, effectiveIndexOptions } from "./options.ts";
import { logger, writeStdout } from "./output.ts";
import { type RequirementSetView, renderRequirementSetJson, renderRequirementSetText } from "./requirement-set-output.ts";

/** Reads the inputs and, when some marker needs it, the target interpreter's environment. */
export async function loadInputs(options: ResolvedOptions): Promise<RequirementSetView> {
  const set = await loadRequirementSet({
    cwd: options.cwd,
    requirementFiles: options.requirementFiles,
    projectFile: options.projectFile,
    extras: options.extras,
    groups: options.groups,
    warn: (message) => logger.warn(message),
  });
  let environment: TargetEnvironment | undefined;
  if (set.requirements.some((requirement) => requirement.marker)) {
    try {
      environment = await getTargetEnvironment();
    } catch (error) {
      if (!(options.dryRun && error instanceof MissingPreconditionError)) throw error;
      logger.warn(`${error.message}; cannot tell which markers apply (${error.hint ?? ""})`);
    }
  }
  return { set, index: effectiveIndexOptions(options, set.index), environment };
}

const EMPTY_INDEX_OPTIONS: IndexOptions = { indexUrl: undefined, extraIndexUrls: [], findLinks: [], pre: false, onlyBinary: [] };

function unsupportedFormat(command: string, format: string): never {
  throw new InputError(`${command} cannot write --format ${format}`, undefined, "use --format text or --format json");
}

async function showRequirementSet(options: ResolvedOptions, view: RequirementSetView): Promise<void> {
  await writeStdout(options.format === "json" ? renderRequirementSetJson(view) : renderRequirementSetText(view));
}

/** Scan, audit, locks and the report; `then` acts on the scanned artifacts when all passed. */
async function scanThen(options: ResolvedOptions, then?: (scan: ScanResult) => Promise<void>): Promise<ExitCodeValue> {
  const view = await loadInputs(options);
  if (options.dryRun) {
    await showRequirementSet(options, view);
    return ExitCode.Safe;
  }
  const outcome = await scanAndAudit(options, view);
  try {
    await writeStdout(outcome.output);
    if (outcome.exitCode === ExitCode.Safe && outcome.scan && then) await then(outcome.scan);
  } finally {
    outcome.scan?.dispose();
  }
  return outcome.exitCode;
}

export function runScan(options: ResolvedOptions): Promise<ExitCodeValue> {
  return scanThen(options);
}

/**
 * `pipcanary audit`: pinned requirements, hashed locks and pylock.toml files (given with -r) are
 * checked for known malware, known vulnerabilities and too-recent uploads without running anything.
 */
export async function runAudit(options: ResolvedOptions): Promise<ExitCodeValue> {
  const pylockFiles = options.requirementFiles.filter(isPylockPath);
  const requirementFiles = options.requirementFiles.filter((file) => !isPylockPath(file));
  const readsRequirements = requirementFiles.length > 0 || options.projectFile !== undefined || pylockFiles.length === 0;
  const view = readsRequirements ? await loadInputs({ ...options, requirementFiles }) : undefined;
  if (options.dryRun) {
    if (view) await showRequirementSet(options, view);
    return ExitCode.Safe;
  }
  const environment = view?.environment ?? (await getTargetEnvironment());
  const requirements = (view?.set.requirements ?? []).filter((requirement) => !requirement.marker || evaluateMarker(requirement.marker, environment));
  const index = view?.index ?? effectiveIndexOptions(options, EMPTY_INDEX_OPTIONS);
  const format = options.format === "sarif" ? unsupportedFormat("pipcanary audit", "sarif") : options.format;
  let output = "";
  const code = await runAuditCommand({
    ...auditRunOptions(options, index, environment),
    requirements,
    pylockFiles,
    format,
    write: (text) => void (output += text),
    exemptions: (report) => exemptionsOf(options, index, report),
  });
  await writeStdout(output);
  return code;
}

/** `pipcanary lock`: the scan, required to write at least one lock file. */
export function runLock(options: ResolvedOptions): Promise<ExitCodeValue> {
  if (!options.dryRun && !options.lockedRequirementFile && !options.pylockFile) {
    throw new InputError("pipcanary lock needs somewhere to write the lock", undefined, "add -l requirements.lock and/or --pylock pylock.toml");
  }
  return scanThen(options);
}

/** `pipcanary install`: the scan, then exactly the scanned files into the current environment. */
export function runInstall(options: ResolvedOptions): Promise<ExitCodeValue> {
  return scanThen(options, (scan) => installScannedArtifacts(scan, { temporaryDirectory: options.temporaryDirectory }));
}

export async function runRules(options: ResolvedOptions): Promise<ExitCodeValue> {
  if (options.format === "sarif") unsupportedFormat("pipcanary rules", "sarif");
  await writeStdout(renderRules(options.rulePaths, options.format, await loadPluginFiles(options.plugins)));
  return ExitCode.Safe;
}

/** `pipcanary doctor`: the checks a scan depends on, with a fix for each failure (exit 6 when one failed). */
export async function runDoctor(options: ResolvedOptions): Promise<ExitCodeValue> {
  if (options.format === "sarif") unsupportedFormat("pipcanary doctor", "sarif");
  const { doctorExitCode, renderDoctorText, runDoctorChecks } = await import("./doctor-command.ts");
  const report = await runDoctorChecks(options);
  await writeStdout(options.format === "json" ? `${JSON.stringify(report, null, 2)}\n` : renderDoctorText(report));
  return doctorExitCode(report);
}

export async function runCacheInfo(options: ResolvedOptions): Promise<ExitCodeValue> {
  const info = await cacheInfo(options.cacheDir);
  await writeStdout(options.format === "json" ? `${JSON.stringify(info, null, 2)}\n` : renderCacheInfo(info));
  return ExitCode.Safe;
}

export async function runCacheClean(options: ResolvedOptions): Promise<ExitCodeValue> {
  const removed = await cacheClean(options.cacheDir);
  await writeStdout(options.format === "json" ? `${JSON.stringify(removed)}\n` : `Removed ${removed.entries} cache entries (${removed.bytes} bytes) from ${options.cacheDir}.\n`);
  return ExitCode.Safe;
}
