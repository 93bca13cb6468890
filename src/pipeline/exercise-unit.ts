import type { EntryPoint } from "./installed.ts";

/**
 * The code one exercise unit runs: a distribution used the way its users use it, in an interpreter
 * started like a user's program (`<venv>/bin/python`, default flags, site enabled, so every .pth
 * runs at start-up) that reads this code from a pipe on stdin: nothing in its argv, its stdin or a
 * file it can find names the scanner. In order, within the unit's time budget:
 *   - touches the unit's start token (a random path that exists nowhere): pipcanary blames the
 *     process on the distribution from that event on; the interpreter's start-up before it (the
 *     .pth files) is blamed on the owners of executable .pth files;
 *   - imports every module file of the distribution (from RECORD, read on the host), touching
 *     `failed + index` for each that fails, which is noted and does not stop the others;
 *   - loads every entry point of every group;
 *   - runs every script pip wrote into bin once with `--help` and once with `--version`, stdin at
 *     /dev/null, each bounded by what is left of the budget;
 *   - when the budget runs out, touches the budget token and skips the rest; touches the done
 *     token when it is through (a unit that ends before, e.g. by os._exit in a module, is noted);
 *   - gives every thread the grace period to finish (the program imports only what start-up
 *     already loaded, so a unit costs little more than an interpreter start), then ends normally: atexit handlers run, and
 *     a process kept alive by a non-daemon thread or a hanging handler is reported as lingering.
 * Tokens are read by pipcanary from the trace only to mark these moments; a package that touches
 * them can at most add a note, never remove one (see AttributionPolicy for the start token).
 */
const EXERCISE_PY = String.raw`
import os, sys, time

def touch(path):
    try:
        os.stat(path)
    except OSError:
        pass

def import_module(name, left):
    __import__(name)

def load(entry, left):
    __import__(entry["module"])
    target = sys.modules[entry["module"]]
    for part in filter(None, entry["attr"].split(".")):
        target = getattr(target, part)

def run(path, flag, left):
    import subprocess
    subprocess.run([path, flag], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=left)

def main(unit):
    touch(unit["start"])
    deadline = time.monotonic() + unit["budget"]
    work = [(import_module, (name,), unit["failed"] + str(index)) for index, name in enumerate(unit["modules"])]
    work += [(load, (entry,), None) for entry in unit["entryPoints"]]
    work += [(run, (path, flag), None) for path in unit["scripts"] for flag in ("--help", "--version")]
    for action, args, failed in work:
        left = deadline - time.monotonic()
        if left <= 0:
            touch(unit["budgetReached"])
            break
        try:
            action(*args, left)
        except BaseException:
            if failed is not None:
                touch(failed)
    touch(unit["done"])
    grace = time.monotonic() + unit["grace"]
    threading = sys.modules.get("threading")
    for thread in threading.enumerate() if threading else ():
        if thread is not threading.main_thread():
            thread.join(max(0.0, grace - time.monotonic()))

main(UNIT)
`;

/** What one unit does; the token paths exist nowhere, they are only ever touched. */
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
 * The unit's whole program, as piped to the interpreter's stdin. The unit holds only strings,
 * numbers, lists and objects, whose JSON is a Python literal too: no json module to import.
 */
export function exerciseProgram(unit: ExerciseUnit): string {
  return `UNIT = ${JSON.stringify(unit)}\n${EXERCISE_PY}`;
}
