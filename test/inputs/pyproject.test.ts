import { afterEach, describe, expect, test } from "bun:test";
import { InputError } from "../../src/core/errors.ts";
import { loadRequirementSet } from "../../src/inputs/load.ts";
import type { RequirementSet } from "../../src/core/requirements.ts";
import { type TempProject, removeTempProjects, tempProject } from "./temp-project.ts";

let project: TempProject | undefined;
let warnings: string[] = [];

afterEach(() => {
  removeTempProjects();
  project = undefined;
  warnings = [];
});

function load(toml: string, selection: { extras?: string[]; groups?: string[] } = {}): Promise<RequirementSet> {
  project = tempProject({ "pyproject.toml": toml });
  return loadRequirementSet({
    cwd: project.dir,
    requirementFiles: [],
    projectFile: "pyproject.toml",
    // Like the command line: no extras unless named; `extras: undefined` is --all-extras.
    extras: "extras" in selection ? selection.extras : [],
    groups: selection.groups ?? [],
    warn: (message) => warnings.push(message),
  });
}

async function failure(toml: string, selection: { extras?: string[]; groups?: string[] } = {}): Promise<InputError> {
  const error = await load(toml, selection).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

function summary(set: RequirementSet): string[] {
  return set.requirements.map((r) => `${r.name}${r.extras.length ? `[${r.extras}]` : ""}${r.url ? ` @ ${r.url}` : r.specifier}${r.markerText ? `; ${r.markerText}` : ""} :${r.origin.line}`);
}

const PEP621 = `[build-system]
requires = ["hatchling"]

[project]
name = "My_App"
version = "1.0"
dependencies = [
  "requests>=2.31",
  'rich ; python_version >= "3.9"',
  "click",
]

[project.optional-dependencies]
test = ["pytest>=8", "My-App[docs]"]
docs = [
  "sphinx",
]
fast = ["orjson"]
`;

describe("[project]", () => {
  test("no extras by default, as uv and pip-audit do", async () => {
    expect(summary(await load(PEP621))).toEqual(["requests>=2.31 :8", 'rich; python_version >= "3.9" :9', "click :10"]);
  });

  test("--all-extras: dependencies and every extra, each with its own line", async () => {
    expect(summary(await load(PEP621, { extras: undefined }))).toEqual([
      "requests>=2.31 :8",
      'rich; python_version >= "3.9" :9',
      "click :10",
      "pytest>=8 :14",
      "sphinx :16",
      "orjson :18",
    ]);
  });

  test("--extra selects extras; a self-reference pulls in the extras it names", async () => {
    expect(summary(await load(PEP621, { extras: ["test"] }))).toEqual(["requests>=2.31 :8", 'rich; python_version >= "3.9" :9', "click :10", "pytest>=8 :14", "sphinx :16"]);
    expect(summary(await load(PEP621, { extras: ["FAST"] }))).toEqual(["requests>=2.31 :8", 'rich; python_version >= "3.9" :9', "click :10", "orjson :18"]);
  });

  test("an unknown extra is an error that lists the defined ones", async () => {
    expect((await failure(PEP621, { extras: ["nope"] })).message).toBe("unknown extra 'nope': pyproject.toml defines test, docs, fast");
  });

  test("a bad requirement names the line of the element", async () => {
    const error = await failure('[project]\nname = "x"\ndependencies = [\n  "ok",\n  "bad ==",\n]\n');
    expect(error.message).toStartWith("pyproject.toml:5: invalid requirement 'bad =='");
  });

  test("dependencies must be a list of strings", async () => {
    expect((await failure('[project]\nname = "x"\ndependencies = "requests"\n')).message).toBe("pyproject.toml:3: project.dependencies must be a list of requirement strings");
  });

  test("dynamic dependencies are an error that says to use -r", async () => {
    const error = await failure('[project]\nname = "x"\ndynamic = ["dependencies", "version"]\n');
    expect(error.message).toStartWith("pyproject.toml:3: the project's dependencies are dynamic");
    expect(error.hint).toBe("pass the requirements with -r requirements.txt");
  });

  test("dynamic optional-dependencies: silent by default, a warning with --all-extras, an error when --extra names one", async () => {
    const toml = '[project]\nname = "x"\ndependencies = ["a"]\ndynamic = ["optional-dependencies"]\n';
    expect(summary(await load(toml))).toEqual(["a :3"]);
    expect(warnings).toEqual([]);
    expect(summary(await load(toml, { extras: undefined }))).toEqual(["a :3"]);
    expect(warnings).toEqual(["pyproject.toml: optional-dependencies are dynamic and are not scanned; pass them with -r to include them"]);
    expect((await failure(toml, { extras: ["x"] })).message).toContain("optional-dependencies are dynamic");
  });
});

const GROUPS = `[project]
name = "app"
dependencies = ["requests"]

[dependency-groups]
test = ["pytest", {include-group = "coverage"}]
coverage = ["coverage[toml]>=7"]
Lint_Tools = [
  "ruff",
]
`;

describe("[dependency-groups] (PEP 735)", () => {
  test("no group by default", async () => {
    expect(summary(await load(GROUPS))).toEqual(["requests :3"]);
  });

  test("--group selects, include-group follows, names are normalised", async () => {
    expect(summary(await load(GROUPS, { groups: ["test"] }))).toEqual(["requests :3", "pytest :6", "coverage[toml]>=7 :7"]);
    expect(summary(await load(GROUPS, { groups: ["lint-tools", "coverage", "test"] }))).toEqual(["requests :3", "ruff :9", "coverage[toml]>=7 :7", "pytest :6"]);
  });

  test("include cycles and unknown groups are errors", async () => {
    const cycle = await failure('[dependency-groups]\na = [{include-group = "b"}]\nb = ["x", {include-group = "a"}]\n', { groups: ["a"] });
    expect(cycle.message).toBe("pyproject.toml:3: dependency group cycle: a -> b -> a");
    expect((await failure(GROUPS, { groups: ["docs"] })).message).toBe("unknown dependency group 'docs': pyproject.toml defines test, coverage, lint-tools");
    expect((await failure('[dependency-groups]\na = [{include-group = "zzz"}]\n', { groups: ["a"] })).message).toBe("pyproject.toml:2: unknown dependency group 'zzz': pyproject.toml defines a");
  });

  test("malformed groups", async () => {
    expect((await failure('[dependency-groups]\na = [{include = "b"}]\n')).message).toContain("may only contain requirement strings and {include-group");
    expect((await failure('[dependency-groups]\nFoo = ["x"]\nfoo = ["y"]\n')).message).toContain("have the same normalised name");
  });
});

const POETRY = `[tool.poetry]
name = "poetry-app"
version = "0.1.0"

[tool.poetry.dependencies]
python = "^3.9"
requests = "^2.31"
tomli = { version = "^2.0", python = "<3.11" }
"zope.interface" = "~5.5"
legacy = "^0.2.3"
tiny = "^0.0.3"
pinned = "1.4.2"
starred = "*"
ranged = ">=1,<2"
wild = "3.2.*"
orjson = { version = "^3.9", optional = true }
uvloop = { version = "^0.19", optional = true, markers = "sys_platform != 'win32'" }

[tool.poetry.extras]
fast = ["orjson", "uvloop"]

[tool.poetry.group.dev.dependencies]
pytest = "^8.0"

[tool.poetry.group.docs]
optional = true

[tool.poetry.group.docs.dependencies]
mkdocs = "~1.5"
`;

describe("Poetry", () => {
  test("main dependencies with translated constraints, optional ones through extras", async () => {
    expect(summary(await load(POETRY, { extras: undefined }))).toEqual([
      "requests>=2.31,<3.0 :7",
      'tomli>=2.0,<3.0; python_version < "3.11" :8',
      "zope.interface>=5.5,<5.6 :9",
      "legacy>=0.2.3,<0.3.0 :10",
      "tiny>=0.0.3,<0.0.4 :11",
      "pinned==1.4.2 :12",
      "starred :13",
      "ranged>=1,<2 :14",
      "wild==3.2.* :15",
      "orjson>=3.9,<4.0 :16",
      'uvloop>=0.19,<0.20; sys_platform != "win32" :17',
    ]);
  });

  test("--extra selects Poetry extras; groups only with --group", async () => {
    const set = await load(POETRY, { extras: [], groups: ["dev", "docs"] });
    const names = set.requirements.map((r) => r.name);
    expect(names).not.toContain("orjson");
    expect(names).toContain("pytest");
    expect(summary(set).slice(-2)).toEqual(["pytest>=8.0,<9.0 :23", "mkdocs>=1.5,<1.6 :29"]);
  });

  test("legacy dev-dependencies form the dev group", async () => {
    const set = await load('[tool.poetry]\nname = "x"\n[tool.poetry.dependencies]\npython = "^3.9"\n[tool.poetry.dev-dependencies]\nblack = "^24"\n', { groups: ["dev"] });
    expect(summary(set)).toEqual(["black>=24,<25 :6"]);
  });

  test("untranslatable declarations name file:line and the dependency", async () => {
    const error = await failure('[tool.poetry]\nname = "x"\n\n[tool.poetry.dependencies]\nfoo = "^1.0 || ^2.0"\n');
    expect(error.message).toBe("pyproject.toml:5: Poetry dependency 'foo': '^1.0 || ^2.0' uses '||' (either-or), which a PEP 440 specifier cannot express");
    const git = await failure('[tool.poetry]\nname = "x"\n[tool.poetry.dependencies]\nbar = { git = "https://github.com/x/bar.git" }\n');
    expect(git.message).toStartWith("pyproject.toml:4: Poetry dependency 'bar': git dependencies are not supported");
  });

  test("a dependency declared as its own table gets the header's line", async () => {
    const set = await load('[tool.poetry]\nname = "x"\n\n[tool.poetry.dependencies.requests]\nversion = "^2.0"\nextras = ["socks"]\n');
    expect(summary(set)).toEqual(["requests[socks]>=2.0,<3.0 :4"]);
  });

  test("Poetry 2: static [project] dependencies take precedence over [tool.poetry.dependencies]", async () => {
    const set = await load('[project]\nname = "x"\ndependencies = ["requests>=2"]\n[tool.poetry.dependencies]\nrequests = { source = "private" }\n');
    expect(summary(set)).toEqual(["requests>=2 :3"]);
  });

  test("dynamic [project] dependencies provided by Poetry are read from Poetry", async () => {
    const set = await load('[project]\nname = "x"\ndynamic = ["dependencies"]\n[tool.poetry.dependencies]\nrequests = "^2"\n');
    expect(summary(set)).toEqual(["requests>=2,<3 :5"]);
  });
});

describe("broken or empty files", () => {
  test("broken TOML names file:line", async () => {
    const error = await failure('[project]\nname = "x"\ndependencies = ["a",\n\n[oops\n');
    expect(error.message).toMatch(/^pyproject\.toml:\d+: broken TOML \(column \d+\): /);
    expect(error.exitCode).toBe(1);
  });

  test("a file with no dependency tables says to use -r", async () => {
    const error = await failure("[tool.black]\nline-length = 100\n");
    expect(error.message).toBe("pyproject.toml declares no dependencies: it has no [project], [tool.poetry] or [dependency-groups] table");
    expect(error.hint).toBe("pass the requirements with -r requirements.txt");
  });

  test("[project] without dependencies is an empty set", async () => {
    expect((await load('[project]\nname = "x"\n')).requirements).toEqual([]);
  });
});
