# Read by the venv's interpreter from stdin, followed by one line `serve(<units>, <margin>)`
# whose arguments are Python literals (see exercise-unit.ts).
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

