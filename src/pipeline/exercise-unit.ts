import type { EntryPoint } from "./installed.ts";

/**
 * The program of the import phase's one process: an interpreter started like a user's program
 * (`<venv>/bin/python`, default flags, site enabled, so every .pth runs at its start) that reads
 * this code from a pipe on stdin, so nothing in its argv, its stdin or a file it can find names
 * the scanner. It forks one worker per distribution, in dependency order, and waits for each up to
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
const EXERCISE_PY = String.raw`
import atexit, os, sys, time
sys.path[:] = [entry for entry in sys.path if entry not in ("", ".", os.getcwd())]

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

def start(command):
    import subprocess
    try:
        return subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except OSError:
        return None

# False when the budget ran out before every run had ended.
def run_scripts(paths, left):
    import subprocess
    deadline = time.monotonic() + left
    commands = [[path, flag] for path in paths for flag in ("--help", "--version")]
    complete = True
    for first in range(0, len(commands), 4):
        if time.monotonic() >= deadline:
            return False
        for child in [child for child in map(start, commands[first:first + 4]) if child]:
            try:
                child.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
                complete = False
    return complete

def exercise(unit):
    atexit._clear()
    touch(unit["start"])
    deadline = time.monotonic() + unit["budget"]
    work = [(import_module, (name,), unit["failed"] + str(index)) for index, name in enumerate(unit["modules"])]
    work += [(load, (entry,), None) for entry in unit["entryPoints"]]
    work += [(run_scripts, (unit["scripts"],), None)] if unit["scripts"] else []
    for action, args, failed in work:
        left = deadline - time.monotonic()
        if left <= 0:
            touch(unit["budgetReached"])
            break
        try:
            if action(*args, left) is False:
                touch(unit["budgetReached"])
        except BaseException:
            if failed is not None:
                touch(failed)
    touch(unit["done"])
    grace = time.monotonic() + unit["grace"]
    threading = sys.modules.get("threading")
    for thread in threading.enumerate() if threading else ():
        if thread is not threading.main_thread():
            thread.join(max(0.0, grace - time.monotonic()))

# Standard modules most packages import: loaded once here rather than again in every worker.
COMMON = ("argparse", "collections", "contextlib", "dataclasses", "datetime", "enum", "functools", "inspect", "json", "logging", "pathlib", "re", "subprocess", "textwrap", "threading", "typing", "warnings")

def serve(units, margin):
    for name in COMMON:
        try:
            __import__(name)
        except ImportError:
            pass
    for unit in units:
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            exercise(unit)
            sys.exit(0)
        deadline = time.monotonic() + unit["budget"] + unit["grace"] + margin
        while os.waitpid(pid, os.WNOHANG)[0] == 0 and time.monotonic() < deadline:
            time.sleep(0.005)

serve(UNITS, MARGIN)
`;

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
 * The whole program, as piped to the interpreter's stdin. The units hold only strings, numbers,
 * lists and objects, whose JSON is a Python literal too: no json module to import.
 */
export function exerciseProgram(units: readonly ExerciseUnit[], marginSeconds: number): string {
  return `UNITS = ${JSON.stringify(units)}\nMARGIN = ${marginSeconds}\n${EXERCISE_PY}`;
}
