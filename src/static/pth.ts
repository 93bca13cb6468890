import type { PthForm } from "../rules/static-schema.ts";

/**
 * .pth files: site.py adds each line to sys.path, except lines that start with `import ` or
 * `import\t`, which it executes at every interpreter start. Those lines are what matters. Only
 * two shapes are trusted in a downloaded archive, each by its exact text, never by a keyword:
 * - setuptools' namespace-package lines, which import nothing but the standard library;
 * - setuptools' own `distutils-precedence.pth`, only as the whole file setuptools ships. Its line
 *   imports `_distutils_hack`, so the module is only trusted from setuptools
 *   (static.startup.hook-module).
 * Lines that import a module the archive can bring along are code, whatever they look like:
 * editable-install finders (`__editable___…_finder`) are written by pip for `pip install -e`,
 * which a scan never runs, and `_virtualenv` by virtualenv into the environments it creates;
 * neither comes in a wheel or sdist from an index.
 */
export interface PthLine {
  line: number;
  text: string;
  form: PthForm;
  /** Which well-known hook it is, for known-hook lines. */
  hook: string | undefined;
}

const QUOTED_NAME = String.raw`'[A-Za-z0-9_.]+'`;
const NAME_TUPLE = String.raw`\((?:'[A-Za-z0-9_]+', ?)*'[A-Za-z0-9_]+',?\)`;
const SITEDIR = String.raw`(?:sys\._getframe\(1\)\.f_locals\['sitedir'\]|'[^'\\]*')`;

/** setuptools' namespace-package line, current and pre-3.5 variants (setuptools/namespaces.py). */
function nspkgPattern(parts: readonly string[]): RegExp {
  const escaped = parts.join(";").replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const source = escaped
    .replaceAll("%\\(root\\)s", SITEDIR)
    .replaceAll("%\\(pth\\)r", NAME_TUPLE)
    .replaceAll("%\\(pkg\\)r", QUOTED_NAME);
  const multi = String.raw`(?:;m and setattr\(sys\.modules\[${QUOTED_NAME}\], ${QUOTED_NAME}, m\))?`;
  return new RegExp(`^${source}${multi};?$`);
}

const DISTUTILS_PRECEDENCE_FILE = "distutils-precedence.pth";
const DISTUTILS_PRECEDENCE_HOOK = "setuptools distutils-precedence";

/** The file as setuptools ships it: since v60 (default 'local') and v49.1–59 (default 'stdlib'). */
const DISTUTILS_PRECEDENCE_TEXTS = new Set(
  ["local", "stdlib"].map(
    (fallback) => `import os; var = 'SETUPTOOLS_USE_DISTUTILS'; enabled = os.environ.get(var, '${fallback}') == 'local'; enabled and __import__('_distutils_hack').add_shim(); `,
  ),
);

const KNOWN_HOOKS: ReadonlyArray<readonly [string, RegExp]> = [
  [
    "setuptools namespace package",
    nspkgPattern([
      "import sys, types, os",
      "has_mfs = sys.version_info > (3, 5)",
      "p = os.path.join(%(root)s, *%(pth)r)",
      "importlib = has_mfs and __import__('importlib.util')",
      "has_mfs and __import__('importlib.machinery')",
      "m = has_mfs and sys.modules.setdefault(%(pkg)r, importlib.util.module_from_spec(importlib.machinery.PathFinder.find_spec(%(pkg)r, [os.path.dirname(p)])))",
      "m = m or sys.modules.setdefault(%(pkg)r, types.ModuleType(%(pkg)r))",
      "mp = (m or []) and m.__dict__.setdefault('__path__',[])",
      "(p not in mp) and mp.append(p)",
    ]),
  ],
  [
    "setuptools namespace package",
    nspkgPattern([
      "import sys, types, os",
      "p = os.path.join(%(root)s, *%(pth)r)",
      "ie = os.path.exists(os.path.join(p,'__init__.py'))",
      "m = not ie and sys.modules.setdefault(%(pkg)r, types.ModuleType(%(pkg)r))",
      "mp = (m or []) and m.__dict__.setdefault('__path__',[])",
      "(p not in mp) and mp.append(p)",
    ]),
  ],
];

/** setuptools' distutils-precedence.pth, byte for byte (one line, with or without its newline). */
function isSetuptoolsDistutilsPrecedence(path: string, text: string): boolean {
  const name = path.slice(path.lastIndexOf("/") + 1);
  return name === DISTUTILS_PRECEDENCE_FILE && DISTUTILS_PRECEDENCE_TEXTS.has(text.endsWith("\n") ? text.slice(0, -1) : text);
}

/** The executable lines of the .pth file at `path` (its path in the archive) with content `text`. */
export function classifyPth(path: string, text: string): PthLine[] {
  if (isSetuptoolsDistutilsPrecedence(path, text)) {
    return [{ line: 1, text: text.trimEnd(), form: "known-hook", hook: DISTUTILS_PRECEDENCE_HOOK }];
  }
  const out: PthLine[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    if (!raw.startsWith("import ") && !raw.startsWith("import\t")) return;
    const line = raw.replace(/\s+$/, "");
    const known = KNOWN_HOOKS.find(([, pattern]) => pattern.test(line));
    out.push({ line: index + 1, text: line, form: known ? "known-hook" : "code", hook: known?.[0] });
  });
  return out;
}

/**
 * Whether site.py would process this .pth: only files directly in site-packages are read, which
 * for a wheel means the archive root or the root of its purelib/platlib data folders.
 */
export function isActivePth(path: string, archive: "wheel" | "sdist"): boolean {
  if (!path.endsWith(".pth")) return false;
  if (archive === "sdist") return true;
  return !path.includes("/") || /^[^/]+\.data\/(?:purelib|platlib)\/[^/]+$/.test(path);
}
