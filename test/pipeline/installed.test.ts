import { describe, expect, test } from "bun:test";
import { dependencyOrder, modulesFromFiles, parseEntryPoints, recordPath, type VenvDistribution } from "../../src/pipeline/installed.ts";

describe("modules and entry points from the dist-info", () => {
  test("every module file, parents first: packages, submodules, extensions, namespace packages; no tests, metadata or scripts", () => {
    const files = [
      "pkg/__init__.py",
      "pkg/sub/mod.py",
      "single.py",
      "fast.cpython-311-x86_64-linux-gnu.so",
      "google/cloud/storage/__init__.py",
      "google/cloud/storage/blob.py",
      "nsonly/plain.py",
      "pkg-1.0.dist-info/METADATA",
      "pkg-1.0.data/scripts/tool",
      "../../bin/tool",
      "pkg/__pycache__/__init__.cpython-311.pyc",
      "not-a-module/x.py",
      "evil.pth",
      "pkg/tests/test_mod.py",
      "pkg/testing/helpers.py",
      "tests/__init__.py",
    ];
    expect(modulesFromFiles(files)).toEqual(["fast", "pkg", "single", "nsonly.plain", "google.cloud.storage", "pkg.sub.mod", "google.cloud.storage.blob"]);
  });

  test("entry points of every group; malformed lines skipped", () => {
    const text = "[console_scripts]\ntool = pkg.cli:main\nother=pkg.cli:Main.run [extra]\n\n[pkg.plugins]\n# a comment\nplug = pkg.plugin\nbroken line\n= pkg:x\n";
    expect(parseEntryPoints(text)).toEqual([
      { group: "console_scripts", name: "tool", module: "pkg.cli", attr: "main" },
      { group: "console_scripts", name: "other", module: "pkg.cli", attr: "Main.run" },
      { group: "pkg.plugins", name: "plug", module: "pkg.plugin", attr: "" },
    ]);
  });

  test("RECORD rows with quoted paths", () => {
    expect(recordPath('"odd,name/__init__.py",sha256=abc,12')).toBe("odd,name/__init__.py");
    expect(recordPath('"say ""hi"".py",,')).toBe('say "hi".py');
    expect(recordPath("pkg/__init__.py,sha256=abc,12")).toBe("pkg/__init__.py");
    expect(recordPath("")).toBeUndefined();
  });
});

describe("import order", () => {
  const dist = (name: string, requires: string[] = []): VenvDistribution => ({
    name,
    displayName: name,
    version: "1",
    pthFiles: [],
    executablePth: false,
    requires,
    modules: [name],
    entryPoints: [],
    scripts: [],
  });

  test("dependencies come before their dependants, cycles do not hang", () => {
    const order = dependencyOrder([dist("aaa-app", ["zzz-lib", "missing"]), dist("zzz-lib", ["mid"]), dist("mid"), dist("x", ["y"]), dist("y", ["x"])]);
    expect(order.map((distribution) => distribution.name)).toEqual(["mid", "zzz-lib", "aaa-app", "y", "x"]);
  });
});
