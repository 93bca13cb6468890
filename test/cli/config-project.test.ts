import { afterEach, expect, test } from "bun:test";
import { parseCommandLine, splitCommand } from "../../src/cli/argv.ts";
import { resolveOptions } from "../../src/cli/resolve-options.ts";
import type { ResolvedOptions } from "../../src/cli/options.ts";
import { loadRequirementSet } from "../../src/inputs/load.ts";
import { removeTempProjects, tempProject } from "../inputs/temp-project.ts";

afterEach(() => removeTempProjects());

function resolveIn(cwd: string, argv: string[]): ResolvedOptions {
  const line = splitCommand(argv, cwd);
  return resolveOptions({ command: line.command, commandLine: parseCommandLine(line.command, line.args), env: {}, cwd }).options;
}

const PROJECT = '[project]\nname = "app"\ndependencies = ["a"]\n[project.optional-dependencies]\ncli = ["click"]\n\n[tool.pipcanary]\ncool-down-phase-days = 10\nextra = ["cli"]\n';

test("[tool.pipcanary] comes from the project of the first input file, whatever the working directory", async () => {
  const project = tempProject({ "app/pyproject.toml": PROJECT, "app/requirements/base.txt": "flask\n", "elsewhere/pyproject.toml": "[tool.pipcanary]\ncool-down-phase-days = 30\n" });
  const input = project.path("app/requirements/base.txt");
  const fromProject = resolveIn(project.path("app"), ["-r", input]);
  const fromElsewhere = resolveIn(project.path("elsewhere"), ["-r", input]);
  expect(fromProject.configFile).toBe(project.path("app/pyproject.toml"));
  expect(fromElsewhere.configFile).toBe(project.path("app/pyproject.toml"));
  expect(fromElsewhere.coolDownMs).toBe(10 * 86_400_000);
  expect(fromElsewhere.coolDownMs).toBe(fromProject.coolDownMs);
  // With -p, the project is the file given; the extra its [tool.pipcanary] names is read from it alike.
  const load = (options: ResolvedOptions) => loadRequirementSet({ ...options, projectFile: project.path("app/pyproject.toml"), requirementFiles: [] });
  const names = async (cwd: string) => (await load(resolveIn(cwd, ["-p", project.path("app/pyproject.toml")]))).requirements.map((r) => r.name);
  expect(await names(project.path("elsewhere"))).toEqual(["a", "click"]);
  expect(await names(project.path("app"))).toEqual(["a", "click"]);
});

test("no pyproject.toml above the input: no project configuration, even if the working directory has one", () => {
  const project = tempProject({ "lonely/requirements.txt": "flask\n", "cwd/pyproject.toml": "[tool.pipcanary]\ncool-down-phase-days = 30\n" });
  const options = resolveIn(project.path("cwd"), ["-r", project.path("lonely/requirements.txt")]);
  expect(options.coolDownMs).toBe(7 * 86_400_000);
});

test("--extra and --all-extras: none by default, every one with --all-extras, both together is an error", () => {
  const project = tempProject({ "pyproject.toml": '[project]\nname = "x"\n' });
  expect(resolveIn(project.dir, []).extras).toEqual([]);
  expect(resolveIn(project.dir, ["--all-extras"]).extras).toBeUndefined();
  expect(() => resolveIn(project.dir, ["--all-extras", "--extra", "cli"])).toThrow("--extra and --all-extras cannot be used together");
});
