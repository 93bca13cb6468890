/**
 * The import phase's one process started by the supervisor: `<venv>/bin/python -I -S <driver>
 * <site-packages> <units.json>`. It starts the interpreter once and forks one child per unit (a
 * distribution's .pth files, or its top-level modules); each child first opens its unit's marker
 * file, which is how pipcanary ties the child (and everything it starts) to the distribution,
 * then does its work and exits. The driver itself runs no package code; `-S` keeps the
 * interpreter from running every .pth of the venv at start-up, which would blame one
 * distribution's .pth on another.
 *   pth:    runs exactly the given .pth files, the way site.py does at start-up.
 *   import: adds the path lines of all .pth files (not their import lines), then imports each
 *           module; a module that fails to import is not a finding and does not stop the others.
 */
export const IMPORT_DRIVER_PY = String.raw`
import importlib, json, os, site, sys

def pth_paths(site_dir):
    for entry in sorted(os.listdir(site_dir)):
        if not entry.endswith(".pth"):
            continue
        try:
            with open(os.path.join(site_dir, entry), encoding="utf-8", errors="replace") as handle:
                lines = handle.read().splitlines()
        except OSError:
            continue
        for line in lines:
            if not line or line.startswith("#") or line.startswith(("import ", "import\t")):
                continue
            path = os.path.join(site_dir, line.rstrip())
            if os.path.isdir(path) and path not in sys.path:
                sys.path.append(path)

def run(site_dir, unit):
    sys.path.append(site_dir)
    if unit["mode"] == "pth":
        for name in unit["names"]:
            site.addpackage(site_dir, name, set())
        return
    pth_paths(site_dir)
    for name in unit["names"]:
        try:
            importlib.import_module(name)
        except BaseException as error:
            print("import %s failed: %s: %s" % (name, type(error).__name__, error), file=sys.stderr)

def main():
    site_dir, units_path = sys.argv[1], sys.argv[2]
    with open(units_path) as handle:
        units = json.load(handle)
    for unit in units:
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            status = 0
            try:
                os.close(os.open(unit["marker"], os.O_RDONLY))
                run(site_dir, unit)
            except BaseException:
                status = 1
            finally:
                try:
                    sys.stdout.flush()
                    sys.stderr.flush()
                finally:
                    os._exit(status)
        os.waitpid(pid, 0)

main()
`;

/** One forked child of the import driver: what it runs and the marker that names it. */
export interface ImportUnit {
  mode: "pth" | "import";
  names: string[];
  /** Sandbox path of the unit's marker file, opened first thing in the child. */
  marker: string;
}
