import { stdinProgram } from "../sandbox/stdin-program.ts";
import script from "./exercise.py" with { type: "text" };
import type { EntryPoint } from "./installed.ts";

/** What one worker does; the token paths exist nowhere, they are only ever touched. */
export interface ExerciseUnit {
  start: string;
  budgetReached: string;
  done: string;
  /** Prefix of the per-module failure tokens: `failed + <index in modules>`. */
  failed: string;
  budget: number;
  grace: number;
  modules: string[];
  entryPoints: EntryPoint[];
  scripts: string[];
}

/**
 * The program of the import phase's one process (exercise.py with its units): an interpreter
 * started like a user's program (`<venv>/bin/python`, default flags, site enabled, so every .pth
 * runs at its start) that reads this program from a pipe on stdin, so nothing in its argv, its
 * stdin or a file it can find names the scanner. It forks one worker per distribution, in dependency order, and waits for each up to
 * the unit's budget, grace period and a margin (a worker still running then is left to be
 * reported as lingering). Each worker:
 *   - drops the atexit handlers inherited from start-up (.pth code), which run once, in this
 *     process, where they are blamed on the .pth owners, and touches its start token (a random
 *     path that exists nowhere): pipcanary blames the worker on its distribution from then on;
 *   - imports every module file of the distribution (from RECORD, read on the host), touching
 *     `failed + index` for each that fails, which is noted and does not stop the others;
 *   - loads every entry point of every group;
 *   - runs every script pip wrote into bin once with `--help` and once with `--version`, stdin at
 *     /dev/null, four at a time, each bounded by what is left of the budget (then killed);
 *   - when the budget runs out, touches the budget token and skips the rest; touches the done
 *     token when it is through (a worker that ends before, e.g. by os._exit in a module, is noted);
 *   - gives every thread the grace period, then ends normally: atexit handlers run, and a worker
 *     kept alive by a non-daemon thread or a hanging handler is reported as lingering.
 * Tokens are read by pipcanary from the trace only to mark these moments; a package that touches
 * them can at most add a note, never remove one (see AttributionPolicy for the start token).
 * Before forking, it imports a few standard modules most packages use, so that each worker does
 * not import them again. Like the supervisor, it first drops the working directory (which a stdin
 * program gets, and which package code of earlier phases could write to) from sys.path.
 */
export function exerciseProgram(units: readonly ExerciseUnit[], marginSeconds: number): string {
  return stdinProgram(script, "serve", units, marginSeconds);
}
