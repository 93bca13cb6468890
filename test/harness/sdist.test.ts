import { describe, expect, test } from "bun:test";
import { parseTarGzip } from "nanotar";
import { buildToolProjects } from "./build-tools.ts";
import { sha256Hex } from "./distribution-format.ts";
import { buildSdist } from "./sdist.ts";

async function members(content: Uint8Array): Promise<Map<string, string>> {
  const items = await parseTarGzip(content);
  return new Map(items.map((item) => [item.name, item.text]));
}

describe("buildSdist", () => {
  const spec = {
    name: "Evil.Pack",
    version: "0.3.1",
    files: { "evilpack/__init__.py": "A = 1\n", "evilpack/sub/__init__.py": "", "tool.py": "B = 2\n" },
    requires: ["six>=1"],
    requiresPython: ">=3.8",
  };

  test("writes PKG-INFO and a default setup.py under <name>-<version>/", async () => {
    const sdist = buildSdist(spec);
    expect(sdist.filename).toBe("evil_pack-0.3.1.tar.gz");
    expect(sdist.sha256).toBe(sha256Hex(sdist.content));
    const files = await members(sdist.content);
    expect([...files.keys()].sort()).toEqual([
      "evil_pack-0.3.1/PKG-INFO",
      "evil_pack-0.3.1/evilpack/__init__.py",
      "evil_pack-0.3.1/evilpack/sub/__init__.py",
      "evil_pack-0.3.1/setup.py",
      "evil_pack-0.3.1/tool.py",
    ]);
    expect(files.get("evil_pack-0.3.1/PKG-INFO")).toContain("Name: Evil.Pack\nVersion: 0.3.1\n");
    const setupPy = files.get("evil_pack-0.3.1/setup.py") ?? "";
    expect(setupPy).toContain("from setuptools import setup");
    expect(setupPy).toContain('packages=["evilpack", "evilpack.sub"],');
    expect(setupPy).toContain('py_modules=["tool"],');
    expect(setupPy).toContain('install_requires=["six>=1"],');
    expect(setupPy).toContain('python_requires=">=3.8",');
  });

  test("takes a given setup.py, a pyproject.toml alone, or both", async () => {
    const custom = await members(buildSdist({ ...spec, setupPy: "import os\n" }).content);
    expect(custom.get("evil_pack-0.3.1/setup.py")).toBe("import os\n");
    const pyprojectOnly = await members(buildSdist({ ...spec, pyproject: "[project]\n" }).content);
    expect(pyprojectOnly.has("evil_pack-0.3.1/setup.py")).toBe(false);
    expect(pyprojectOnly.get("evil_pack-0.3.1/pyproject.toml")).toBe("[project]\n");
    const both = await members(buildSdist({ ...spec, pyproject: "[project]\n", setupPy: true }).content);
    expect(both.get("evil_pack-0.3.1/setup.py")).toContain("setup(");
    expect(both.has("evil_pack-0.3.1/pyproject.toml")).toBe(true);
  });

  test("is byte-for-byte reproducible", () => {
    expect(buildSdist(spec).sha256).toBe(buildSdist(spec).sha256);
    expect(buildSdist({ ...spec, version: "0.3.2" }).sha256).not.toBe(buildSdist(spec).sha256);
  });

  test("refuses a member path a plain tar header cannot hold", () => {
    expect(() => buildSdist({ ...spec, files: { [`${"d/".repeat(50)}x.py`]: "" } })).toThrow("100 bytes");
  });
});

describe("buildToolProjects", () => {
  test("serves setuptools and wheel read from the machine's own wheels", () => {
    const [setuptools, wheel] = buildToolProjects();
    expect(setuptools?.name).toBe("setuptools");
    expect(wheel?.name).toBe("wheel");
    for (const project of [setuptools, wheel]) {
      const release = project?.releases[0];
      const file = release?.files[0];
      expect(file?.filename).toBe(`${project?.name}-${release?.version}-py3-none-any.whl`);
      expect(file?.sha256).toBe(sha256Hex(file?.content ?? new Uint8Array()));
    }
  });
});
