import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { normalizeName } from "../core/names.ts";
import { writeLibFile } from "../sandbox/environment.ts";
import { DEFAULT_TIMEOUTS, readOnlyDownloads, type ScanContext } from "./context.ts";
import { IMPORT_DRIVER_PY, type ImportUnit } from "./import-driver.ts";
import { dependencyOrder, type VenvDistribution } from "./installed.ts";
import type { PlannedStep } from "./phase-runner.ts";

/**
 * The import phase as one step: the import driver, which forks one worker per unit — a
 * distribution's executable .pth files, then its top-level modules — in dependency order.
 */
function importStep(context: ScanContext, venv: string, sitePackages: string, distributions: VenvDistribution[]): PlannedStep | undefined {
  const { environment } = context;
  const skip = new Set((context.options.doNotScan ?? []).map(normalizeName));
  const units: ImportUnit[] = [];
  const markers = new Map<string, string>();
  mkdirSync(join(environment.libDir, "units"));
  const addUnit = (distribution: VenvDistribution, mode: ImportUnit["mode"], names: string[]) => {
    const marker = writeLibFile(environment, `units/${units.length}`, "");
    units.push({ mode, names, marker });
    markers.set(marker, distribution.name);
  };
  for (const distribution of dependencyOrder(distributions)) {
    if (skip.has(distribution.name)) continue;
    if (distribution.executablePth) addUnit(distribution, "pth", distribution.pthFiles);
    if (distribution.importTargets.length > 0) addUnit(distribution, "import", distribution.importTargets);
  }
  if (units.length === 0) return undefined;
  const driver = writeLibFile(environment, "import_driver.py", IMPORT_DRIVER_PY);
  const unitsFile = writeLibFile(environment, "units.json", JSON.stringify(units));
  return {
    argv: [join(venv, "bin", "python"), "-I", "-S", driver, sitePackages, unitsFile],
    required: false,
    package: undefined,
    markers,
    label: "imports",
  };
}


/** Imports every installed distribution (but the skipped ones) in the sandbox; false when blocked. */
export async function importPhase(context: ScanContext, venv: string, sitePackages: string, distributions: VenvDistribution[]): Promise<boolean> {
  const step = importStep(context, venv, sitePackages, distributions);
  if (!step) return true;
  context.progress(`Importing ${distributions.length} installed distribution(s) in the sandbox (no network)…`);
  const outcome = await context.runner.run({
    phase: "import",
    timeoutSeconds: context.options.timeouts?.import ?? DEFAULT_TIMEOUTS.import,
    mounts: readOnlyDownloads(context.environment),
    steps: [step],
  });
  context.findings.push(...outcome.findings);
  return !outcome.blocked;
}
