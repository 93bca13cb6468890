import { describe, expect, test } from "bun:test";
import { classifyPth, isActivePth } from "../../src/static/pth.ts";
import { useTempDirs } from "../harness/temp.ts";
import { scan, wheelArtifact } from "./helpers.ts";

/** setuptools/namespaces.py's current template, filled in as setuptools does. */
function nspkg(pkg: string): string {
  const parts = pkg.split(".");
  const pth = `(${parts.map((p) => `'${p}'`).join(", ")}${parts.length === 1 ? "," : ""})`;
  const lines = [
    "import sys, types, os",
    "has_mfs = sys.version_info > (3, 5)",
    `p = os.path.join(sys._getframe(1).f_locals['sitedir'], *${pth})`,
    "importlib = has_mfs and __import__('importlib.util')",
    "has_mfs and __import__('importlib.machinery')",
    `m = has_mfs and sys.modules.setdefault('${pkg}', importlib.util.module_from_spec(importlib.machinery.PathFinder.find_spec('${pkg}', [os.path.dirname(p)])))`,
    `m = m or sys.modules.setdefault('${pkg}', types.ModuleType('${pkg}'))`,
    "mp = (m or []) and m.__dict__.setdefault('__path__',[])",
    "(p not in mp) and mp.append(p)",
  ];
  if (parts.length > 1) lines.push(`m and setattr(sys.modules['${parts.slice(0, -1).join(".")}'], '${parts.at(-1)}', m)`);
  return lines.join(";");
}

const DISTUTILS_PRECEDENCE = "import os; var = 'SETUPTOOLS_USE_DISTUTILS'; enabled = os.environ.get(var, 'local') == 'local'; enabled and __import__('_distutils_hack').add_shim(); ";
const EDITABLE_HOOK = "import __editable___my_pkg_1_0_finder; __editable___my_pkg_1_0_finder.install()";

describe(".pth classification", () => {
  test("path lines and comments are not code", () => {
    expect(classifyPth("x.pth", "# comment\n/usr/lib/x\nsrc\n\n")).toEqual([]);
  });

  test("namespace-package lines are recognised by their exact shape", () => {
    const text = [
      nspkg("google"),
      nspkg("zope.interface"),
      "import sys, types, os;p = os.path.join(sys._getframe(1).f_locals['sitedir'], *('zope',));ie = os.path.exists(os.path.join(p,'__init__.py'));m = not ie and sys.modules.setdefault('zope', types.ModuleType('zope'));mp = (m or []) and m.__dict__.setdefault('__path__',[]);(p not in mp) and mp.append(p)",
    ].join("\n");
    expect(classifyPth("google-nspkg.pth", text).map((line) => [line.line, line.form, line.hook])).toEqual([
      [1, "known-hook", "setuptools namespace package"],
      [2, "known-hook", "setuptools namespace package"],
      [3, "known-hook", "setuptools namespace package"],
    ]);
  });

  test("setuptools' distutils-precedence.pth is trusted only as the exact file under its own name", () => {
    const stdlib = DISTUTILS_PRECEDENCE.replace("get(var, 'local')", "get(var, 'stdlib')");
    for (const text of [DISTUTILS_PRECEDENCE, `${DISTUTILS_PRECEDENCE}\n`, `${stdlib}\n`]) {
      expect(classifyPth("distutils-precedence.pth", text).map((line) => [line.form, line.hook])).toEqual([["known-hook", "setuptools distutils-precedence"]]);
    }
    expect(classifyPth("setuptools-69.0/distutils-precedence.pth", DISTUTILS_PRECEDENCE)[0]?.form).toBe("known-hook");
    expect(classifyPth("other.pth", DISTUTILS_PRECEDENCE)[0]?.form).toBe("code");
    expect(classifyPth("distutils-precedence.pth", `${DISTUTILS_PRECEDENCE}\nimport evil\n`).map((line) => line.form)).toEqual(["code", "code"]);
    expect(classifyPth("distutils-precedence.pth", DISTUTILS_PRECEDENCE.trimEnd())[0]?.form).toBe("code");
  });

  test("editable-install, virtualenv and pywin32 hooks in a downloaded archive are code", () => {
    const text = [EDITABLE_HOOK, "import _virtualenv", "import pywin32_bootstrap"].join("\n");
    expect(classifyPth("__editable__.my_pkg-1.0.pth", text).map((line) => line.form)).toEqual(["code", "code", "code"]);
  });

  test("anything else after `import` is code, including a tampered well-known line", () => {
    const text = [
      "import os; os.system('true')",
      "import\tsomething",
      "import os; var = 'SETUPTOOLS_USE_DISTUTILS'; enabled = os.environ.get(var, 'local') == 'local'; enabled and __import__('evil').add_shim(); ",
      `${nspkg("google")};__import__('os').system('true')`,
    ].join("\n");
    expect(classifyPth("x.pth", text).map((line) => line.form)).toEqual(["code", "code", "code", "code"]);
  });

  test("only .pth files site.py reads are active", () => {
    expect(isActivePth("x.pth", "wheel")).toBe(true);
    expect(isActivePth("pkg-1.0.data/purelib/x.pth", "wheel")).toBe(true);
    expect(isActivePth("pkg/x.pth", "wheel")).toBe(false);
    expect(isActivePth("pkg-1.0/src/x.pth", "sdist")).toBe(true);
  });
});

/** Which .pth files each rule flags or excepts is in rules/static-startup.cases.yaml. */
describe(".pth policy", () => {
  const tempDir = useTempDirs("pipcanary-static-pth");

  test("code in a .pth is never lowered, not even for a package the user allowlisted", async () => {
    const dir = tempDir();
    const evil = wheelArtifact(dir, { name: "evilpth", version: "1.0", files: { "evilpth/__init__.py": "" }, pth: { "evilpth.pth": "import os; os.system('true')\n" } });
    const result = await scan([evil], { allowlist: ["evilpth"] });
    const finding = result.findings.find((f) => f.ruleId === "static.pth.code");
    expect(finding?.severity).toBe("block");
    expect(finding?.subject).toEqual({ kind: "code", file: "evilpth.pth", line: 1, snippet: "import os; os.system('true')" });
  });
});
