import { beforeAll, describe, expect, test } from "bun:test";
import type { Artifact } from "../../src/core/artifact.ts";
import type { StaticResult } from "../../src/static/index.ts";
import { useTempDirs } from "../harness/temp.ts";
import { scan, sdistArtifact } from "./helpers.ts";

/**
 * A token read is blocking in code that runs while pip builds the sdist and a warning in code
 * that only runs when the package is used, so the rule id tells which scope a file got.
 */
const READ_TOKEN = "import os\nTOKEN = os.environ.get('GITHUB_TOKEN')\n";
const SETUP = "from setuptools import setup\nsetup()\n";

const tempDir = useTempDirs("pipcanary-static-scopes");
let result: StaticResult;
const artifacts: Record<string, Artifact> = {};

beforeAll(async () => {
  const dir = tempDir();
  artifacts.backend = sdistArtifact(dir, {
    name: "backendpkg", version: "1.0", setupPy: false,
    pyproject: '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["_build"]\n',
    files: { "_build/backend.py": READ_TOKEN, "backendpkg/__init__.py": "" },
  });
  artifacts.setupCfg = sdistArtifact(dir, {
    name: "cfgpkg", version: "1.0", setupPy: SETUP,
    files: { "setup.cfg": "[metadata]\nname = cfgpkg\n\n[options]\ncmdclass =\n    build_py = cfgpkg.build:BuildPy\n", "cfgpkg/__init__.py": "", "cfgpkg/build.py": READ_TOKEN },
  });
  artifacts.hatch = sdistArtifact(dir, {
    name: "hatchpkg", version: "1.0", setupPy: false,
    pyproject: '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n[tool.hatch.build.hooks.custom]\n',
    files: { "hatch_build.py": READ_TOKEN, "hatchpkg/__init__.py": "" },
  });
  artifacts.importsPackage = sdistArtifact(dir, {
    name: "selfimport", version: "1.0", setupPy: "from selfimport import __version__\nfrom setuptools import setup\nsetup(version=__version__)\n",
    files: { "selfimport/__init__.py": `__version__ = '1.0'\n${READ_TOKEN}`, "selfimport/other.py": READ_TOKEN },
  });
  artifacts.execVersion = sdistArtifact(dir, {
    name: "execver", version: "1.0", setupPy: "exec(open('execver/version.py').read())\nfrom setuptools import setup\nsetup()\n",
    files: { "execver/version.py": READ_TOKEN, "execver/__init__.py": "" },
  });
  artifacts.tests = sdistArtifact(dir, { name: "testspkg", version: "1.0", setupPy: SETUP, files: { "tests/test_it.py": READ_TOKEN, "testspkg/__init__.py": "" } });
  result = await scan(Object.values(artifacts));
}, 120_000);

function scopeOf(key: string, file: string): string | undefined {
  const artifact = artifacts[key] as Artifact;
  const finding = result.artifacts.get(artifact.sha256)?.findings.find((f) => f.subject.kind === "code" && f.subject.file.endsWith(file));
  if (!finding) return undefined;
  return finding.ruleId === "static.install.secret-env" ? "install" : finding.ruleId === "static.credentials.secret-env" ? "runtime" : finding.ruleId;
}

describe("install-hook scope of sdist files", () => {
  test("an in-tree build backend named by backend-path", () => expect(scopeOf("backend", "_build/backend.py")).toBe("install"));
  test("a setup.cfg cmdclass target", () => expect(scopeOf("setupCfg", "cfgpkg/build.py")).toBe("install"));
  test("a hatch build hook", () => expect(scopeOf("hatch", "hatch_build.py")).toBe("install"));
  test("the package __init__ that setup.py imports, but not its other modules", () => {
    expect(scopeOf("importsPackage", "selfimport/__init__.py")).toBe("install");
    expect(scopeOf("importsPackage", "selfimport/other.py")).toBe("runtime");
  });
  test("a file setup.py executes with exec(open(...).read())", () => expect(scopeOf("execVersion", "execver/version.py")).toBe("install"));
  test("tests/ are runtime code and still scanned", () => expect(scopeOf("tests", "tests/test_it.py")).toBe("runtime"));
});
