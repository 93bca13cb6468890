import type { PthForm } from "../rules/static-schema.ts";

/**
 * .pth files: site.py adds each line to sys.path, except lines that start with `import ` or
 * `import\t`, which it executes at every interpreter start. Those lines are what matters; the
 * widely shipped ones (setuptools' distutils shim, namespace packages, editable installs,
 * virtualenv) are recognised by their exact shape, not by a keyword.
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

const KNOWN_HOOKS: ReadonlyArray<readonly [string, RegExp]> = [
  [
    "setuptools distutils-precedence",
    /^import os; var = 'SETUPTOOLS_USE_DISTUTILS'; enabled = os\.environ\.get\(var, '(?:local|stdlib)'\) == 'local'; enabled and __import__\('_distutils_hack'\)\.add_shim\(\); ?$/,
  ],
  ["setuptools editable install", /^import (__editable___[A-Za-z0-9_]+_finder); \1\.install\(\)$/],
  ["virtualenv", /^import _virtualenv$/],
  ["pywin32", /^import pywin32_bootstrap$/],
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

export function classifyPth(text: string): PthLine[] {
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
