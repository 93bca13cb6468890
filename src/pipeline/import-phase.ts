import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { normalizeName } from "../core/names.ts";
import { followAttributedItems } from "../events/attributed-items.ts";
import type { Mount } from "../sandbox/bwrap.ts";
import type { StepToken } from "./attribution.ts";
import { DEFAULT_EXERCISE_SECONDS, DEFAULT_GRACE_SECONDS, DEFAULT_TIMEOUTS, readOnlyDownloads, type ScanContext } from "./context.ts";
import { type ExerciseUnit, exerciseProgram } from "./exercise-unit.ts";
import { dependencyOrder, type VenvDistribution } from "./installed.ts";
import type { PlannedStep } from "./phase-runner.ts";

/** Beyond its budget and grace period, what a worker may take to end before the next one starts. */
const UNIT_MARGIN_SECONDS = 3;

/** A path that exists nowhere and that nobody can guess: touched only by the code that knows it. */
function tokenPath(): string {
  return `/tmp/.${randomBytes(16).toString("hex")}`;
}

/**
 * Blame for what happens while an interpreter starts, before a unit's own code: site runs the
 * import lines of every .pth file then, so it is blamed on the distributions that have them (on
 * none when there are none, which leaves only the interpreter's own start-up).
 */
export function startupBlame(distributions: readonly VenvDistribution[]): string | undefined {
  const owners = distributions.filter((distribution) => distribution.executablePth).map((distribution) => distribution.name).sort();
  return owners.length === 0 ? undefined : owners.join(" or ");
}

function hasWork(distribution: VenvDistribution): boolean {
  return distribution.modules.length > 0 || distribution.entryPoints.length > 0 || distribution.scripts.length > 0 || distribution.executablePth;
}

/**
 * The import phase's one step: a fresh interpreter started like a user's program, whose code
 * comes on stdin and forks one worker per distribution in dependency order (see exercise-unit.ts).
 * The step is blamed like start-up; each worker, from its start token on, on its distribution.
 */
function exerciseStep(context: ScanContext, venv: string, distributions: VenvDistribution[]): { step: PlannedStep; units: number } | undefined {
  const { options } = context;
  const skip = new Set((options.doNotScan ?? []).map(normalizeName));
  const budget = options.exerciseSeconds ?? DEFAULT_EXERCISE_SECONDS;
  const grace = options.graceSeconds ?? DEFAULT_GRACE_SECONDS;
  const units: ExerciseUnit[] = [];
  const tokens = new Map<string, StepToken>();
  for (const distribution of dependencyOrder(distributions)) {
    if (skip.has(distribution.name) || !hasWork(distribution)) continue;
    const unit: ExerciseUnit = {
      start: tokenPath(),
      budgetReached: tokenPath(),
      done: tokenPath(),
      failed: tokenPath(),
      budget,
      grace,
      modules: distribution.modules,
      entryPoints: distribution.entryPoints,
      scripts: distribution.scripts,
    };
    const { name } = distribution;
    tokens.set(unit.start, { kind: "start", package: name });
    tokens.set(unit.budgetReached, { kind: "budget", package: name });
    tokens.set(unit.done, { kind: "done", package: name });
    unit.modules.forEach((module, index) => tokens.set(`${unit.failed}${index}`, { kind: "failed", package: name, detail: module }));
    units.push(unit);
  }
  if (units.length === 0) return undefined;
  const step: PlannedStep = {
    argv: [join(venv, "bin", "python")],
    stdin: exerciseProgram(units, UNIT_MARGIN_SECONDS),
    waitSeconds: units.length * (budget + grace + UNIT_MARGIN_SECONDS) + grace,
    required: false,
    package: startupBlame(distributions),
    tokens,
    label: "exercise",
  };
  return { step, units: units.length };
}

/** The venv as pip left it, read-only to package code from now on. */
function readOnlyVenv(venv: string): Mount {
  return { kind: "ro-bind", source: venv, dest: venv };
}

/** Exercises every installed distribution (but the skipped ones) in the sandbox; false when blocked. */
export async function importPhase(context: ScanContext, venv: string, distributions: VenvDistribution[]): Promise<boolean> {
  const exercise = exerciseStep(context, venv, distributions);
  if (!exercise) return true;
  context.progress(`Importing and exercising ${exercise.units} installed distribution(s) in the sandbox (no network)…`);
  const workers = [...(exercise.step.tokens?.values() ?? [])].filter((token) => token.kind === "start").map((token) => token.package);
  const stopFollowing = followAttributedItems(context.events, "import", workers);
  const outcome = await context.runner.run({
    phase: "import",
    timeoutSeconds: context.options.timeouts?.import ?? DEFAULT_TIMEOUTS.import,
    mounts: [...readOnlyDownloads(context.environment), readOnlyVenv(venv)],
    steps: [exercise.step],
  }).finally(stopFollowing);
  context.findings.push(...outcome.findings);
  return !outcome.blocked;
}
