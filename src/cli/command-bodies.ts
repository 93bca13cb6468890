/**
 * What each command does, given its resolved options. The stages after inputs are wired in here
 * as they land; until then a command shows the requirement set it would work on and fails with
 * "<what>: not implemented yet" (exit 2), and --dry-run is complete.
 */
import { ExitCode, type ExitCodeValue } from "../core/exit-codes.ts";
import { MissingPreconditionError } from "../core/errors.ts";
import { loadRequirementSet } from "../inputs/load.ts";
import { getTargetEnvironment } from "../inputs/target-environment.ts";
import type { TargetEnvironment } from "../inputs/types.ts";
import { NotImplementedError } from "./not-implemented.ts";
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

async function showRequirementSet(options: ResolvedOptions, view: RequirementSetView): Promise<void> {
  await writeStdout(options.format === "json" ? renderRequirementSetJson(view) : renderRequirementSetText(view));
}

/** The commands that read a requirement set: --dry-run shows it; the rest awaits its stage. */
async function runOnRequirementSet(options: ResolvedOptions, what: string): Promise<ExitCodeValue> {
  const view = await loadInputs(options);
  await showRequirementSet(options, view);
  if (options.dryRun) return ExitCode.Safe;
  throw new NotImplementedError(what, "--dry-run shows the requirement set it would work on");
}

export function runScan(options: ResolvedOptions): Promise<ExitCodeValue> {
  return runOnRequirementSet(options, "the behavioural scan");
}

export function runAudit(options: ResolvedOptions): Promise<ExitCodeValue> {
  return runOnRequirementSet(options, "pipcanary audit");
}

export function runLock(options: ResolvedOptions): Promise<ExitCodeValue> {
  return runOnRequirementSet(options, "pipcanary lock");
}

export function runInstall(options: ResolvedOptions): Promise<ExitCodeValue> {
  return runOnRequirementSet(options, "pipcanary install");
}

export async function runRules(_options: ResolvedOptions): Promise<ExitCodeValue> {
  throw new NotImplementedError("pipcanary rules");
}

export async function runCacheInfo(_options: ResolvedOptions): Promise<ExitCodeValue> {
  throw new NotImplementedError("pipcanary cache info");
}

export async function runCacheClean(_options: ResolvedOptions): Promise<ExitCodeValue> {
  throw new NotImplementedError("pipcanary cache clean");
}
