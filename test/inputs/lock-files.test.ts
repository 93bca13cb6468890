import { afterEach, describe, expect, test } from "bun:test";
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "../../src/core/errors.ts";
import type { RequirementSet } from "../../src/core/requirements.ts";
import { discoverInputs, loadRequirementSet } from "../../src/inputs/load.ts";
import { type TempProject, removeTempProjects, tempProject } from "./temp-project.ts";

const FIXTURES = join(import.meta.dir, "fixtures");
const HASH = {
  certifiSdist: "sha256:5e1e6c71ccaa1603fac2b9a249db7b40636fb1c67155b54672c5df1fc6e87d8f",
  certifiWheel: "sha256:c7947b1abcae3edea78aa234f2c150ed44ee17ed47d8947150c2864a224900b4",
  colorama: "sha256:e7a7ffe3935095bc7d8e28492376fd8ce60a47a1a0634358bd394977bbb04c7e",
  h2: "sha256:ce377e8ba52811e31015355b912b44c535bec39ed1baf1a93517e135633c0e3f",
  httpx: "sha256:df4a44f7527d68518565a58bb62aafde31ed63b1e60fdc49b950e4bd62fe22b9",
  privateSdist: "sha256:471bc63f1e00a97fc1d004f73857980dd08c537a1eeec98792c63e3c41738ff1",
};

afterEach(() => removeTempProjects());

function load(cwd: string, ...requirementFiles: string[]): Promise<RequirementSet> {
  return loadRequirementSet({ cwd, requirementFiles, projectFile: undefined, extras: [], groups: [] });
}

function pins(set: RequirementSet): string[] {
  return set.requirements.map((r) => `${r.name}${r.specifier}${r.markerText ? `; ${r.markerText}` : ""} ${r.origin.file}:${r.origin.line} ${r.hashes.join(" ")}`);
}

async function failure(files: Record<string, string>, file: string): Promise<InputError> {
  const project: TempProject = tempProject(files);
  const error = await load(project.dir, file).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

describe("uv.lock", () => {
  test("what the project reaches through dependencies and requested extras, with edge markers, hashes and line; no dev group", async () => {
    const set = await load(FIXTURES, "uv.lock");
    expect(pins(set)).toEqual([
      `certifi==2024.8.30 uv.lock:31 ${HASH.certifiSdist} ${HASH.certifiWheel}`,
      `colorama==0.4.6; sys_platform == "win32" uv.lock:40 ${HASH.colorama}`,
      `h2==4.1.0 uv.lock:48 ${HASH.h2}`,
      `httpx==0.27.2 uv.lock:56 ${HASH.httpx}`,
      `private-lib==1.2.0 uv.lock:72 ${HASH.privateSdist}`,
    ]);
    expect(set.index.indexUrl).toBe("https://pypi.org/simple");
    expect(set.index.extraIndexUrls).toEqual(["https://pkgs.example.com/simple"]);
  });

  test("git and path sources are refused at their line; a package without hashes too", async () => {
    const root = 'version = 1\n\n[[package]]\nname = "app"\nversion = "0.1.0"\nsource = { editable = "." }\ndependencies = [{ name = "lib" }]\n\n';
    const git = await failure({ "uv.lock": `${root}[[package]]\nname = "lib"\nversion = "1.0"\nsource = { git = "https://github.com/x/lib?rev=abc#abc" }\n` }, "uv.lock");
    expect(git.message).toBe("uv.lock:10: lib comes from a git source, which pipcanary cannot scan: only registry and URL packages are fixed artifacts");
    const bare = await failure({ "uv.lock": `${root}[[package]]\nname = "lib"\nversion = "1.0"\nsource = { registry = "https://pypi.org/simple" }\n` }, "uv.lock");
    expect(bare.message).toBe("uv.lock:10: lib 1.0 has no file hashes");
    const version = await failure({ "uv.lock": 'version = 2\n' }, "uv.lock");
    expect(version.message).toContain("unsupported uv.lock version 2");
  });
});

describe("poetry.lock", () => {
  test("main-group packages that are not optional, with the main marker, hashes, line and the source index", async () => {
    const set = await load(FIXTURES, "poetry.lock");
    expect(pins(set)).toEqual([
      `certifi==2024.8.30 poetry.lock:4 ${HASH.certifiWheel} ${HASH.certifiSdist}`,
      `colorama==0.4.6; platform_system == "Windows" poetry.lock:16 ${HASH.colorama}`,
      `private-lib==1.2.0 poetry.lock:40 ${HASH.privateSdist}`,
    ]);
    expect(set.index.indexUrl).toBe("https://pypi.org/simple");
    expect(set.index.extraIndexUrls).toEqual(["https://pkgs.example.com/simple"]);
  });

  test("a git source is refused at its line", async () => {
    const lock = '[[package]]\nname = "lib"\nversion = "1.0"\noptional = false\nfiles = []\n\n[package.source]\ntype = "git"\nurl = "https://github.com/x/lib.git"\n\n[metadata]\nlock-version = "2.0"\ncontent-hash = "x"\n';
    expect((await failure({ "poetry.lock": lock }, "poetry.lock")).message).toStartWith("poetry.lock:2: lib comes from a git source");
  });
});

describe("pylock.toml (PEP 751)", () => {
  test("every package with its marker, hashes, line and index", async () => {
    const set = await load(FIXTURES, "pylock.toml");
    expect(pins(set)).toEqual([
      `certifi==2024.8.30 pylock.toml:7 ${HASH.certifiWheel} ${HASH.certifiSdist}`,
      `colorama==0.4.6; sys_platform == "win32" pylock.toml:16 ${HASH.colorama}`,
      `private-lib==1.2.0 pylock.toml:25 ${HASH.privateSdist}`,
    ]);
    expect(set.index.indexUrl).toBe("https://pypi.org/simple");
    expect(set.index.extraIndexUrls).toEqual(["https://pkgs.example.com/simple"]);
  });

  test("an index on the command line's side is kept: a lock's index only fills an unset one", async () => {
    const project = tempProject({ "requirements.txt": "--index-url https://mirror.example/simple\n" });
    copyFileSync(join(FIXTURES, "pylock.toml"), project.path("pylock.toml"));
    const set = await load(project.dir, "requirements.txt", "pylock.toml");
    expect(set.index.indexUrl).toBe("https://mirror.example/simple");
    expect(set.index.extraIndexUrls).toEqual(["https://pypi.org/simple", "https://pkgs.example.com/simple"]);
  });
});

describe("formats pipcanary does not read", () => {
  test("other tools' locks are named, with the fix", async () => {
    for (const name of ["Pipfile.lock", "package-lock.json", "pdm.lock"]) {
      const error = await failure({ [name]: '{"_meta": {}}\n' }, name);
      expect(error.message).toMatch(new RegExp(`^${name.replace(".", "\\.")} is a .* which pipcanary does not read$`));
      expect(error.hint).toContain("uv.lock, poetry.lock and PEP 751 pylock.toml");
    }
  });

  test("a renamed lock is recognised by its content; unknown TOML or JSON is not read as requirements", async () => {
    const project = tempProject();
    copyFileSync(join(FIXTURES, "uv.lock"), project.path("deps.lock"));
    expect((await load(project.dir, "deps.lock")).requirements).toHaveLength(5);
    for (const text of ['version = "1"\n[tool]\n', '{"packages": []}\n']) {
      const error = await failure({ "deps.lock": text }, "deps.lock");
      expect(error.message).toBe("deps.lock is not a requirements file and not a lock format pipcanary recognises");
    }
  });
});

describe("discovery", () => {
  test("a lock file in the project directory wins over pyproject.toml and requirements.txt", () => {
    const project = tempProject({ "pyproject.toml": '[project]\nname = "x"\ndependencies = ["a"]\n', "requirements.txt": "b\n", "uv.lock": "version = 1\n" });
    expect(discoverInputs(project.dir)).toEqual({ requirementFiles: [project.path("uv.lock")] });
    project.write("pylock.toml", 'lock-version = "1.0"\n');
    expect(discoverInputs(project.dir)).toEqual({ requirementFiles: [project.path("pylock.toml")] });
  });
});
