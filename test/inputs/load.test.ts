import { afterEach, describe, expect, test } from "bun:test";
import { InputError } from "../../src/core/errors.ts";
import { discoverInputs, loadRequirementSet } from "../../src/inputs/load.ts";
import { type TempProject, removeTempProjects, tempProject } from "./temp-project.ts";

let project: TempProject | undefined;

afterEach(() => {
  removeTempProjects();
  project = undefined;
});

function discover(files: Record<string, string>) {
  project = tempProject(files);
  return discoverInputs(project.dir);
}

describe("discovery without -r or -p", () => {
  test("pyproject.toml that declares dependencies wins", () => {
    const found = discover({ "pyproject.toml": '[project]\nname = "x"\ndependencies = ["a"]\n', "requirements.txt": "b\n" });
    expect(found).toEqual({ projectFile: project?.path("pyproject.toml"), requirementFiles: [] });
  });

  test("a pyproject.toml that only configures tools does not hide requirements.txt", () => {
    const found = discover({ "pyproject.toml": "[tool.ruff]\nline-length = 100\n", "requirements.txt": "b\n" });
    expect(found).toEqual({ requirementFiles: [project?.path("requirements.txt") ?? ""] });
  });

  test("requirements.txt alone", () => {
    expect(discover({ "requirements.txt": "b\n" })).toEqual({ requirementFiles: [project?.path("requirements.txt") ?? ""] });
  });

  test("a tool-only pyproject.toml and no requirements.txt is read, so its own error explains", () => {
    expect(discover({ "pyproject.toml": "[tool.ruff]\n" })).toEqual({ projectFile: project?.path("pyproject.toml"), requirementFiles: [] });
  });

  test("nothing to scan is an error that says what to pass", () => {
    let error: unknown;
    try {
      discover({});
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toStartWith("nothing to scan: there is no pyproject.toml or requirements.txt in ");
    expect((error as InputError).hint).toBe("pass -r requirements.txt or -p pyproject.toml");
  });
});

describe("loadRequirementSet", () => {
  test("-r files and -p together, in that order, origins relative to cwd", async () => {
    project = tempProject({
      "reqs/base.txt": "flask\n",
      "pyproject.toml": '[project]\nname = "x"\ndependencies = ["attrs"]\n[project.optional-dependencies]\ndev = ["pytest"]\n',
    });
    const set = await loadRequirementSet({ cwd: project.dir, requirementFiles: ["reqs/base.txt"], projectFile: "pyproject.toml", extras: ["dev"], groups: [] });
    expect(set.requirements.map((r) => `${r.name} ${r.origin.file}:${r.origin.line}`)).toEqual(["flask reqs/base.txt:1", "attrs pyproject.toml:3", "pytest pyproject.toml:5"]);
  });

  test("files outside cwd keep their absolute path in origins", async () => {
    project = tempProject({ "a/requirements.txt": "flask\n", "b/.keep": "" });
    const set = await loadRequirementSet({ cwd: project.path("b"), requirementFiles: [project.path("a/requirements.txt")], projectFile: undefined, extras: [], groups: [] });
    expect(set.requirements[0]?.origin.file).toBe(project.path("a/requirements.txt"));
  });

  test("--extra or --group with only requirements files is an error", async () => {
    project = tempProject({ "requirements.txt": "flask\n" });
    const error = await loadRequirementSet({ cwd: project.dir, requirementFiles: ["requirements.txt"], projectFile: undefined, extras: [], groups: ["dev"] }).catch((caught: unknown) => caught);
    expect((error as InputError).message).toBe("--extra, --all-extras and --group select parts of a pyproject.toml, but the input is requirements.txt");
  });

  test("discovery is used when no file is named", async () => {
    project = tempProject({ "requirements.txt": "flask\n" });
    const set = await loadRequirementSet({ cwd: project.dir, requirementFiles: [], projectFile: undefined, extras: [], groups: [] });
    expect(set.requirements.map((r) => r.name)).toEqual(["flask"]);
  });
});
