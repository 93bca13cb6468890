import { describe, expect, test } from "bun:test";
import { PoetryTranslationError, poetryPythonMarker, translatePoetryConstraint, translatePoetryDependency } from "../../src/inputs/poetry.ts";

describe("Poetry constraints → PEP 440", () => {
  const table: Array<[string, string]> = [
    ["^1.2.3", ">=1.2.3,<2.0.0"],
    ["^1.2", ">=1.2,<2.0"],
    ["^1", ">=1,<2"],
    ["^0.2.3", ">=0.2.3,<0.3.0"],
    ["^0.2", ">=0.2,<0.3"],
    ["^0.0.3", ">=0.0.3,<0.0.4"],
    ["^0.0", ">=0.0,<0.1"],
    ["^0", ">=0,<1"],
    ["^0.0.0", ">=0.0.0,<0.0.1"],
    ["^1.2.3b1", ">=1.2.3b1,<2.0.0"],
    ["^2!1.0", ">=2!1.0,<2!2.0"],
    ["^v1.2", ">=1.2,<2.0"],
    ["~1.2.3", ">=1.2.3,<1.3.0"],
    ["~1.2", ">=1.2,<1.3"],
    ["~1", ">=1,<2"],
    ["~0.0.5", ">=0.0.5,<0.1.0"],
    ["~=1.2", "~=1.2"],
    ["1.2.*", "==1.2.*"],
    ["1.*", "==1.*"],
    ["!=1.2.*", "!=1.2.*"],
    ["*", ""],
    ["", ""],
    ["1.2.3", "==1.2.3"],
    ["=1.2.3", "==1.2.3"],
    ["==1.2.3", "==1.2.3"],
    [">=1,<2", ">=1,<2"],
    [">= 1.2, < 1.5", ">=1.2,<1.5"],
    [">=1.2 <1.5", ">=1.2,<1.5"],
    ["^1.2, !=1.4.0", ">=1.2,<2.0,!=1.4.0"],
    [">1", ">1"],
    ["<=2.0", "<=2.0"],
  ];
  for (const [poetry, pep440] of table) {
    test(`'${poetry}' → '${pep440}'`, () => {
      expect(translatePoetryConstraint(poetry)).toBe(pep440);
    });
  }

  test("what PEP 440 cannot express or is not a version is an error", () => {
    expect(() => translatePoetryConstraint("^1.0 || ^2.0")).toThrow("'||' (either-or)");
    expect(() => translatePoetryConstraint("^abc")).toThrow("not a valid PEP 440 version");
    expect(() => translatePoetryConstraint(">=1.0.*")).toThrow("'.*' suffix is only allowed with == and !=");
    expect(() => translatePoetryConstraint("latest")).toThrow("is not a Poetry version constraint");
  });
});

describe("Poetry python constraints → markers", () => {
  test("two-part versions use python_version, three-part ones python_full_version", () => {
    expect(poetryPythonMarker("^3.8")).toBe('python_version >= "3.8" and python_version < "4.0"');
    expect(poetryPythonMarker(">=3.8.1,<4")).toBe('python_full_version >= "3.8.1" and python_version < "4"');
    expect(poetryPythonMarker("3.9.*")).toBe('python_version == "3.9.*"');
  });

  test("|| becomes or, * means no marker", () => {
    expect(poetryPythonMarker("~2.7 || ^3.6")).toBe('(python_version >= "2.7" and python_version < "2.8") or (python_version >= "3.6" and python_version < "4.0")');
    expect(poetryPythonMarker("*")).toBeUndefined();
  });
});

describe("Poetry dependency declarations", () => {
  test("string, table and list-of-tables forms", () => {
    expect(translatePoetryDependency("requests", "^2.31")).toEqual([{ text: "requests>=2.31,<3.0", optional: false }]);
    expect(translatePoetryDependency("requests", { version: "^2.31", extras: ["socks"], optional: true })).toEqual([{ text: "requests[socks]>=2.31,<3.0", optional: true }]);
    expect(translatePoetryDependency("pywin", { version: "*", platform: "win32", markers: 'platform_machine == "x86_64"', python: "^3.9" })).toEqual([
      { text: 'pywin; (platform_machine == "x86_64") and (python_version >= "3.9" and python_version < "4.0") and (sys_platform == "win32")', optional: false },
    ]);
    expect(translatePoetryDependency("numpy", [{ version: "<1.25", python: "<3.9" }, { version: "^1.26", python: ">=3.9" }])).toEqual([
      { text: 'numpy<1.25; python_version < "3.9"', optional: false },
      { text: 'numpy>=1.26,<2.0; python_version >= "3.9"', optional: false },
    ]);
  });

  test("url forms become direct references, git/path/source are refused with a reason", () => {
    expect(translatePoetryDependency("pkg", { url: "https://example.org/pkg-1.0-py3-none-any.whl", python: "^3.8" })).toEqual([
      { text: 'pkg @ https://example.org/pkg-1.0-py3-none-any.whl ; python_version >= "3.8" and python_version < "4.0"', optional: false },
    ]);
    expect(() => translatePoetryDependency("pkg", { git: "https://github.com/x/pkg.git", branch: "main" })).toThrow("git dependencies are not supported");
    expect(() => translatePoetryDependency("pkg", { path: "../pkg", develop: true })).toThrow("local path dependencies are not supported");
    expect(() => translatePoetryDependency("pkg", { version: "^1", source: "private" })).toThrow("per-dependency sources");
    expect(() => translatePoetryDependency("pkg", { version: "^1", colour: "blue" })).toThrow("unknown key 'colour'");
    expect(() => translatePoetryDependency("pkg", 3)).toThrow(PoetryTranslationError);
    expect(() => translatePoetryDependency("pkg", { url: "https://x.org/a.whl", version: "1" })).toThrow("either 'url' or 'version'");
  });
});
