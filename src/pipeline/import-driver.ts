/**
 * Runs inside the sandbox as `<venv>/bin/python -I -S <driver> <mode> <site-packages> <names…>`,
 * one process per distribution (and one per distribution that ships a .pth), so the process tree
 * alone says which distribution any activity belongs to. `-S` keeps the interpreter from running
 * every .pth of the venv at start-up, which would blame one distribution's .pth on another.
 *   pth:    runs exactly the given .pth files, the way site.py does at start-up.
 *   import: adds the path lines of all .pth files (not their import lines), then imports each
 *           module; a module that fails to import is not a finding and does not stop the others.
 */
export const IMPORT_DRIVER_PY = String.raw`
import os, sys

def main():
    mode, site_dir, names = sys.argv[1], sys.argv[2], sys.argv[3:]
    sys.path.append(site_dir)
    if mode == "pth":
        import site
        for name in names:
            site.addpackage(site_dir, name, set())
        return
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
    import importlib
    for name in names:
        try:
            importlib.import_module(name)
        except BaseException as error:
            print("pipcanary: import %s failed: %s: %s" % (name, type(error).__name__, error), file=sys.stderr)

main()
`;
