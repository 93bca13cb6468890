import type { BehaviouralFinding } from "../../core/finding.ts";
import type { Phase } from "../../core/phase.ts";
import { definePlugin, type PluginRule } from "../api.ts";
import { traceFinding } from "./trace-finding.ts";

const EXERCISE_BUDGET: PluginRule = {
  id: "exercise-budget",
  severity: "warn",
  description: "The package was not fully exercised within its time budget.",
  explanation:
    "Importing its modules, loading its entry points and running its scripts took longer than the budget per distribution, so the rest was skipped and not watched. Code that runs only in what was skipped was not seen; raise the budget with --exercise-seconds to cover it.",
};

const EXERCISE_INCOMPLETE: PluginRule = {
  id: "exercise-incomplete",
  severity: "warn",
  description: "The package ended its own exercise early.",
  explanation:
    "The process importing its modules, loading its entry points and running its scripts ended or was killed before it was done (os._exit, a signal, a crash, or a module that never returned), so what came after was not watched.",
};

const IMPORT_FAILED_WHY = "Their import raised an error (often a missing optional dependency), so code that runs only after it was not seen";

const IMPORT_FAILED: PluginRule = {
  id: "import-failed",
  severity: "info",
  description: "Some modules of the package failed to import.",
  explanation: `${IMPORT_FAILED_WHY}.`,
};

/**
 * Notes of the import phase's trace on how much of a package was exercised (src/pipeline/phase-trace.ts
 * builds them as the trace shows them); this plugin owns their rules, so `pipcanary rules` lists
 * them and packs can except them.
 */
export const exerciseCoveragePlugin = definePlugin({
  name: "builtin:exercise-coverage",
  api: "^1.0.0",
  rules: [EXERCISE_BUDGET, EXERCISE_INCOMPLETE, IMPORT_FAILED],
});

/** A package's exercise ran out of its time budget ("budget") or ended before it was done ("ended"). */
export function exerciseCut(at: { how: "budget" | "ended"; package: string; phase: Phase; argv: string[] }): BehaviouralFinding {
  const budget = at.how === "budget";
  return traceFinding(budget ? EXERCISE_BUDGET : EXERCISE_INCOMPLETE, {
    package: at.package,
    phase: at.phase,
    subject: { kind: "process", argv: at.argv, detail: budget ? "time budget reached" : "exercise ended early" },
    syscall: undefined,
    argv: at.argv,
  });
}

/** The modules of a package that did not import (the first ten named). */
export function importFailed(at: { package: string; phase: Phase; modules: readonly string[] }): BehaviouralFinding {
  const { modules } = at;
  const shown = modules.slice(0, 10).join(", ") + (modules.length > 10 ? ` and ${modules.length - 10} more` : "");
  return traceFinding(
    IMPORT_FAILED,
    { package: at.package, phase: at.phase, subject: { kind: "process", argv: [], detail: `${modules.length} module(s) failed to import` }, syscall: undefined, argv: [] },
    `${IMPORT_FAILED_WHY}: ${shown}.`,
  );
}
