import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { normalizeName } from "../core/names.ts";
import type { Mount } from "../sandbox/bwrap.ts";
import { writeLibFile } from "../sandbox/environment.ts";
import type { StepToken } from "./attribution.ts";
import { DEFAULT_EXERCISE_SECONDS, DEFAULT_GRACE_SECONDS, DEFAULT_TIMEOUTS, readOnlyDownloads, type ScanContext } from "./context.ts";
import { exerciseProgram } from "./exercise-unit.ts";
import { dependencyOrder, type VenvDistribution } from "./installed.ts";
import type { PlannedStep } from "./phase-runner.ts";

/** Beyond its budget and grace period, what a unit may take to start and end before the supervisor moves on. */
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
 * One exercise unit per distribution, in dependency order: a fresh interpreter started like a
 * user's program, whose code comes on stdin (see exercise-unit.ts). Every unit has the same argv,
 * so its blame comes from its place in the plan and its own start token.
 */
function exerciseSteps(context: ScanContext, venv: string, distributions: VenvDistribution[]): PlannedStep[] {
  const { environment, options } = context;
  const skip = new Set((options.doNotScan ?? []).map(normalizeName));
  const budget = options.exerciseSeconds ?? DEFAULT_EXERCISE_SECONDS;
  const grace = options.graceSeconds ?? DEFAULT_GRACE_SECONDS;
  const startup = startupBlame(distributions);
  const steps: PlannedStep[] = [];
  for (const distribution of dependencyOrder(distributions)) {
    if (skip.has(distribution.name) || !hasWork(distribution)) continue;
    const start = tokenPath();
    const budgetReached = tokenPath();
    const failed = tokenPath();
    const done = tokenPath();
    const tokens = new Map<string, StepToken>([
      [start, { kind: "start", package: distribution.name }],
      [budgetReached, { kind: "budget", package: distribution.name }],
      [done, { kind: "done", package: distribution.name }],
    ]);
    distribution.modules.forEach((module, index) => tokens.set(`${failed}${index}`, { kind: "failed", package: distribution.name, detail: module }));
    const program = exerciseProgram({
      start,
      budgetReached,
      done,
      failed,
      budget,
      grace,
      modules: distribution.modules,
      entryPoints: distribution.entryPoints,
      scripts: distribution.scripts,
    });
    steps.push({
      argv: [join(venv, "bin", "python")],
      stdin: writeLibFile(environment, `${steps.length}`, program),
      waitSeconds: budget + grace + UNIT_MARGIN_SECONDS,
      required: false,
      package: startup,
      tokens,
      label: `exercise ${distribution.name}`,
    });
  }
  return steps;
}

/** The venv as pip left it, read-only to package code from now on. */
function readOnlyVenv(venv: string): Mount {
  return { kind: "ro-bind", source: venv, dest: venv };
}

/** Exercises every installed distribution (but the skipped ones) in the sandbox; false when blocked. */
export async function importPhase(context: ScanContext, venv: string, distributions: VenvDistribution[]): Promise<boolean> {
  const steps = exerciseSteps(context, venv, distributions);
  if (steps.length === 0) return true;
  context.progress(`Importing and exercising ${steps.length} installed distribution(s) in the sandbox (no network)…`);
  const outcome = await context.runner.run({
    phase: "import",
    timeoutSeconds: context.options.timeouts?.import ?? DEFAULT_TIMEOUTS.import,
    mounts: [...readOnlyDownloads(context.environment), readOnlyVenv(venv)],
    steps,
  });
  context.findings.push(...outcome.findings);
  return !outcome.blocked;
}
