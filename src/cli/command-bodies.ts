/**
 * What each command does, given its resolved options. `scan`, `lock` and `install` run the
 * orchestrator (src/run) on a plan built in scan-command.ts.
 */
import { ExitCode, type ExitCodeValue } from "../core/exit-codes.ts";
import { MissingPreconditionError } from "../core/errors.ts";
import { loadRequirementSet } from "../inputs/load.ts";
import { getTargetEnvironment } from "../inputs/target-environment.ts";
import type { TargetEnvironment } from "../core/requirements.ts";
import { runAuditCommand } from "./audit-command.ts";
import { cacheReport, cleanCaches, formatBytes, renderCacheReport } from "../cache/kinds.ts";
import { applicableRequirements } from "../inputs/markers.ts";
import { InputError } from "../core/errors.ts";
import { auditRunOptions, exemptionsOf } from "./stage-options.ts";
import { scanAndAudit } from "./scan-command.ts";
import { renderRules, ruleDescriptors, rulesModel, testRuleCases } from "./rules-command.ts";
import { loadPluginFiles } from "../plugins/load.ts";
import { installScannedArtifacts } from "./install-artifacts.ts";
import type { ScanResult } from "../pipeline/scan.ts";
import { type ResolvedOptions, effectiveIndexOptions } from "./options.ts";
import { logger, withFailureReport, writeReportFiles, writeStdout } from "./output.ts";
import { markerSkipped, type ReportModel } from "../report/model.ts";
import { formatSarif } from "../report/sarif.ts";
import { type RequirementSetView, renderRequirementSetJson, renderRequirementSetText } from "./requirement-set-output.ts";

/** Reads the inputs and, when some marker needs it, the target interpreter's environment. */
async function loadInputs(options: ResolvedOptions): Promise<RequirementSetView> {
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

function unsupportedFormat(command: string, format: string): never {
  throw new InputError(`${command} cannot write --format ${format}`, undefined, "use --format text or --format json");
}

async function showRequirementSet(options: ResolvedOptions, view: RequirementSetView): Promise<void> {
  await writeStdout(options.format === "json" ? renderRequirementSetJson(view) : renderRequirementSetText(view));
}

/** Scan, audit, locks and the report; `then` acts on the scanned artifacts when all passed. */
async function scanThen(options: ResolvedOptions, then?: (scan: ScanResult) => Promise<void>): Promise<ExitCodeValue> {
  const view = await withFailureReport(options, "scan", () => loadInputs(options));
  if (options.dryRun) {
    await showRequirementSet(options, view);
    return ExitCode.Safe;
  }
  const outcome = await withFailureReport(options, "scan", () => scanAndAudit(options, view));
  try {
    await writeStdout(outcome.output);
    await writeReportFiles(outcome.model, options.outputs);
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
 * `pipcanary audit`: pinned requirements, hashed locks and lock files (uv.lock, poetry.lock,
 * pylock.toml, given with -r, audited against the index they record) are checked for known
 * malware, known vulnerabilities and too-recent uploads without running anything.
 */
export function runAudit(options: ResolvedOptions): Promise<ExitCodeValue> {
  return withFailureReport(options, "audit", () => audit(options));
}

async function audit(options: ResolvedOptions): Promise<ExitCodeValue> {
  const view = await loadInputs(options);
  if (options.dryRun) {
    await showRequirementSet(options, view);
    return ExitCode.Safe;
  }
  const environment = view.environment ?? (await getTargetEnvironment());
  const requirements = applicableRequirements(view.set.requirements, environment);
  const index = view.index;
  let output = "";
  let model: ReportModel | undefined;
  const code = await runAuditCommand({
    ...auditRunOptions(options, index, environment),
    requirements,
    format: options.format,
    quiet: options.quiet,
    cwd: options.cwd,
    write: (text) => void (output += text),
    onReport: (report) => void (model = report),
    exemptions: (report) => exemptionsOf(options, index, report),
    skipped: markerSkipped(view.set.requirements, environment),
  });
  await writeStdout(output);
  if (model) await writeReportFiles(model, options.outputs);
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
  if (options.ruleCasesDir !== undefined) return testRuleCases(options.ruleCasesDir);
  const rules = ruleDescriptors(options.rulePaths, await loadPluginFiles(options.plugins), options.projectRulePaths);
  await writeStdout(options.format === "sarif" ? formatSarif(rulesModel(rules, options.cwd)) : renderRules(rules, options.format));
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
  const report = await cacheReport(options.cacheDir);
  await writeStdout(options.format === "json" ? `${JSON.stringify(report, null, 2)}\n` : renderCacheReport(report));
  return ExitCode.Safe;
}

export async function runCacheClean(options: ResolvedOptions): Promise<ExitCodeValue> {
  const removed = await cleanCaches(options.cacheDir);
  const perKind = removed.kinds.map((usage) => `${usage.kind} ${usage.entries}`).join(", ");
  await writeStdout(
    options.format === "json"
      ? `${JSON.stringify({ entries: removed.entries, bytes: removed.bytes, kinds: removed.kinds.map(({ kind, entries, bytes }) => ({ kind, entries, bytes })) })}\n`
      : `Removed ${removed.entries} cache entries (${perKind}; ${formatBytes(removed.bytes)}) from ${options.cacheDir}.\n`,
  );
  return ExitCode.Safe;
}
