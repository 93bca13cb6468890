import { afterEach, describe, expect, test } from "bun:test";
import { parseCommandLine, splitCommand } from "../../src/cli/argv.ts";
import { effectiveIndexOptions } from "../../src/cli/options.ts";
import { type Resolution, resolveOptions } from "../../src/cli/resolve-options.ts";
import { InputError } from "../../src/core/errors.ts";
import { type TempProject, removeTempProjects, tempProject } from "../inputs/temp-project.ts";

let project: TempProject | undefined;

afterEach(() => {
  removeTempProjects();
  project = undefined;
});

function resolveIn(dir: string, argv: string[], env: Record<string, string> = {}): Resolution {
  const line = splitCommand(argv);
  return resolveOptions({ command: line.command, commandLine: parseCommandLine(line.command, line.args), env, cwd: dir });
}

function resolveWith(files: Record<string, string>, argv: string[], env: Record<string, string> = {}): Resolution {
  project = tempProject(files);
  return resolveIn(project.dir, argv, env);
}

function failure(files: Record<string, string>, argv: string[], env: Record<string, string> = {}): InputError {
  try {
    resolveWith(files, argv, env);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error("resolved without error");
}

describe("defaults", () => {
  test("every option has its documented default", () => {
    const { options } = resolveWith({}, [], { XDG_CACHE_HOME: "/xdg" });
    expect(options.command).toBe("scan");
    expect(options.coolDownMs).toBe(7 * 86_400_000);
    expect(options.indexUrl).toBeUndefined();
    expect(options.vulnService).toBe("pypi");
    expect(options.timeoutFetchSeconds).toBe(600);
    expect(options.timeoutInstallSeconds).toBe(300);
    expect(options.timeoutImportSeconds).toBe(120);
    expect(options.exerciseSeconds).toBe(5);
    expect(options.graceSeconds).toBe(2);
    expect(options.logLevel).toBe("info");
    expect(options.format).toBe("text");
    expect(options.cacheDir).toBe("/xdg/pipcanary");
    expect(options.extras).toEqual([]);
    expect(options.groups).toEqual([]);
    expect(options.explicitOptions).toEqual([]);
    expect(options.configFile).toBeUndefined();
  });
});

describe("precedence: command line > environment > [tool.pipcanary]", () => {
  const pyproject = `[project]
name = "x"
dependencies = []

[tool.pipcanary]
cool-down-phase-days = 10
format = "json"
log_level = "warn"
requirement = ["from-project.txt"]
extra = ["cli"]
`;

  test("scalars: the highest source that sets the option wins", () => {
    const projectOnly = resolveWith({ "pyproject.toml": pyproject }, []).options;
    expect(projectOnly.coolDownMs).toBe(10 * 86_400_000);
    expect(projectOnly.format).toBe("json");
    expect(projectOnly.logLevel).toBe("warn");
    expect(projectOnly.configFile).toBe(project?.path("pyproject.toml"));
    project?.remove();

    const env = { PIPCANARY_COOL_DOWN_PHASE_DAYS: "36h", PIPCANARY_FORMAT: "text", PIPCANARY_INDEX_URL: "https://env.example/simple" };
    const withEnv = resolveWith({ "pyproject.toml": pyproject }, [], env).options;
    expect(withEnv.coolDownMs).toBe(36 * 3_600_000);
    expect(withEnv.format).toBe("text");
    expect(withEnv.logLevel).toBe("warn");
    expect(withEnv.indexUrl).toBe("https://env.example/simple");
    project?.remove();

    const withCli = resolveWith({ "pyproject.toml": pyproject }, ["-c", "0", "--format", "json", "-i", "https://cli.example/simple"], env).options;
    expect(withCli.coolDownMs).toBe(0);
    expect(withCli.format).toBe("json");
    expect(withCli.indexUrl).toBe("https://cli.example/simple");
  });

  test("lists merge in order project, environment, command line, without duplicates", () => {
    const { options } = resolveWith(
      { "pyproject.toml": pyproject },
      ["--ignore-vuln", "CLI-1", "--ignore-vuln=ENV-1", "-r", "cli.txt", "--extra", "docs"],
      { PIPCANARY_IGNORE_VULN: "ENV-1, ENV-2 GHSA-2", PIPCANARY_REQUIREMENT: "env.txt", PIPCANARY_EXTRA: "cli" },
    );
    expect(options.ignoreVulns).toEqual(["ENV-1", "ENV-2", "GHSA-2", "CLI-1"]);
    expect(options.extras).toEqual(["cli", "docs"]);
    expect(options.requirementFiles).toEqual(["from-project.txt", "env.txt", "cli.txt"].map((file) => project?.path(file) ?? ""));
  });

  test("paths in [tool.pipcanary] are relative to the pyproject.toml, others to the working directory", () => {
    project = tempProject({ "proj/pyproject.toml": '[tool.pipcanary]\nrequirement = "reqs.txt"\n', "cwd/.keep": "" });
    const { options } = resolveIn(project.path("cwd"), ["-p", "../proj/pyproject.toml", "-r", "mine.txt"]);
    expect(options.requirementFiles).toEqual([project.path("proj/reqs.txt"), project.path("cwd/mine.txt")]);
    expect(options.projectFile).toBe(project.path("proj/pyproject.toml"));
  });

  test("explicitOptions lists what any source set", () => {
    const { options } = resolveWith({ "pyproject.toml": "[tool.pipcanary]\npre = true\n" }, ["--offline"], { PIPCANARY_VULN_SERVICE: "osv" });
    expect(options.explicitOptions.sort()).toEqual(["offline", "pre", "vuln-service"]);
    expect(options.pre).toBe(true);
    expect(options.vulnService).toBe("osv");
  });
});

describe("bad values name their source", () => {
  test("command line", () => {
    expect(failure({}, ["-c", "soon"]).message).toBe("--cool-down-phase-days: 'soon' is not a number of days or a duration (expected e.g. 7, 7d, 36h or P7D)");
    expect(failure({ "constraints.txt": "" }, ["-c", "constraints.txt"]).message).toBe(
      "--cool-down-phase-days: 'constraints.txt' is a file, but -c is --cool-down-phase-days in pipcanary; to use constraints, add a line '-c constraints.txt' to a requirements file",
    );
    expect(failure({}, ["--format", "xml"]).message).toBe("--format: 'xml' is not one of text, json, sarif");
    expect(failure({}, ["-a", "flask"]).message).toContain("--allow-upload-time: 'flask' is not of the form NAME<=ISO-TIME");
    expect(failure({}, ["--timeout-import=-5"]).message).toContain("--timeout-import: '-5' is not a positive number of seconds");
    const ambiguous = failure({}, ["--timeout-import", "-5"]);
    expect(ambiguous.message).toBe("Option '--timeout-import' argument is ambiguous.");
    expect(ambiguous.hint).toContain("use '--timeout-import=-XYZ'");
    expect(failure({}, ["--rules", "missing.yaml"]).message).toBe("--rules: missing.yaml does not exist");
    expect(failure({}, ["-i", "pypi.org"]).message).toBe("--index-url: 'pypi.org' is not a URL");
  });

  test("environment", () => {
    expect(failure({}, [], { PIPCANARY_TIMEOUT_FETCH: "ten" }).message).toBe("environment variable PIPCANARY_TIMEOUT_FETCH: 'ten' is not a positive number of seconds");
    expect(failure({}, [], { PIPCANARY_OFFLINE: "sometimes" }).message).toBe("environment variable PIPCANARY_OFFLINE: 'sometimes' is not a boolean (use true or false)");
  });

  test("[tool.pipcanary]", () => {
    expect(failure({ "pyproject.toml": '[tool.pipcanary]\n\nmax-upload-time = "last week"\n' }, []).message).toBe(
      "pyproject.toml:3: [tool.pipcanary] max-upload-time: 'last week' is not an ISO 8601 time (expected e.g. 2025-09-27T18:37:40 or 2025-09-27T18:37:40+02:00)",
    );
    expect(failure({ "pyproject.toml": "[tool.pipcanary]\npre = 1\n" }, []).message).toBe("pyproject.toml:2: [tool.pipcanary] pre: must be true or false");
    expect(failure({ "pyproject.toml": "[tool.pipcanary]\ncolour = 1\n" }, []).message).toBe("pyproject.toml:2: [tool.pipcanary] has unknown key 'colour'");
  });

  test("[tool.pipcanary] cannot weaken the sandbox or run code", () => {
    for (const key of ['plugin = ["p.ts"]', 'pass-env = ["AWS_SECRET_ACCESS_KEY"]', 'cache-dir = "cache"', 'trace-file = "/root/.bashrc"', 'allow-known-malware = ["MAL-2025-1"]', 'malware-db = "."', 'osv-url = "http://127.0.0.1:1"', "exercise-seconds = 0.01", "grace-seconds = 0.01"]) {
      const error = failure({ "pyproject.toml": `[tool.pipcanary]\n${key}\n` }, []);
      expect(error.message).toMatch(/^pyproject\.toml:2: \[tool\.pipcanary\] cannot set '[a-z_-]+': /);
      project?.remove();
    }
  });
});

describe("[tool.pipcanary] cannot weaken the scan", () => {
  test.each([
    ["do-not-scan", 'do-not-scan = ["evil"]', "PIPCANARY_DO_NOT_SCAN"],
    ["do_not_scan", 'do_not_scan = "evil"', "PIPCANARY_DO_NOT_SCAN"],
    ["index-url", 'index-url = "https://evil.example/simple"', "PIPCANARY_INDEX_URL"],
    ["extra-index-url", 'extra-index-url = ["https://evil.example/simple"]', "PIPCANARY_EXTRA_INDEX_URL"],
    ["ignore-vuln", 'ignore-vuln = ["GHSA-xxxx"]', "PIPCANARY_IGNORE_VULN"],
    ["allow-upload-time", 'allow-upload-time = ["evil<=2099-01-01"]', "PIPCANARY_ALLOW_UPLOAD_TIME"],
    ["allowlist", 'allowlist = ["evil"]', "PIPCANARY_ALLOWLIST"],
    ["allow-name", 'allow-name = ["reqeusts"]', "PIPCANARY_ALLOW_NAME"],
    ["vuln-db", 'vuln-db = "empty-db"', "PIPCANARY_VULN_DB"],
  ])("%s is refused, naming the file, the key and the fix", (key, line, variable) => {
    const error = failure({ "pyproject.toml": `[project]\nname = "x"\n\n[tool.pipcanary]\n${line}\n` }, []);
    expect(error.message).toBe(`pyproject.toml:5: [tool.pipcanary] cannot set '${key}': a project file must not be able to weaken the scan`);
    expect(error.hint).toContain(`pass it on the command line (--${key.replace(/_/g, "-")}) or in ${variable}`);
  });

  test.each(["0", "3", "36h", "P6D"])("a cool-down of %s, shorter than the default, is refused", (value) => {
    const error = failure({ "pyproject.toml": `[tool.pipcanary]\ncool-down-phase-days = "${value}"\n` }, []);
    expect(error.message).toBe("pyproject.toml:2: [tool.pipcanary] cannot set 'cool-down-phase-days' shorter than the default of 7 days: a project file must not be able to weaken the scan");
    expect(error.hint).toContain("PIPCANARY_COOL_DOWN_PHASE_DAYS");
  });

  test("a longer cool-down is accepted from the project file", () => {
    expect(resolveWith({ "pyproject.toml": "[tool.pipcanary]\ncool-down-phase-days = 14\n" }, []).options.coolDownMs).toBe(14 * 86_400_000);
    expect(resolveWith({ "pyproject.toml": '[tool.pipcanary]\ncool-down-phase-days = "1w1d12h"\n' }, []).options.coolDownMs).toBe(8.5 * 86_400_000);
  });

  test("a compound duration is a cool-down on the command line and in the environment", () => {
    expect(resolveWith({}, ["-c", "1d12h"]).options.coolDownMs).toBe(36 * 3_600_000);
    expect(resolveWith({}, [], { PIPCANARY_COOL_DOWN_PHASE_DAYS: "2d6h" }).options.coolDownMs).toBe(54 * 3_600_000);
  });

  test("the cache directory follows the XDG rules", () => {
    expect(resolveWith({}, [], { XDG_CACHE_HOME: "relative", HOME: "/home/u" }).options.cacheDir).toBe("/home/u/.cache/pipcanary");
  });

  test("the same options are accepted from the command line and the environment", () => {
    const { options } = resolveWith({}, ["--do-not-scan", "a", "-i", "https://cli.example/simple", "--allow-name", "reqeusts", "-c", "0"], {
      PIPCANARY_IGNORE_VULN: "GHSA-1",
      PIPCANARY_ALLOWLIST: "b",
      PIPCANARY_ALLOW_NAME: "nunpy",
    });
    expect(options.doNotScan).toEqual(["a"]);
    expect(options.indexUrl).toBe("https://cli.example/simple");
    expect(options.ignoreVulns).toEqual(["GHSA-1"]);
    expect(options.allowlist).toEqual(["b"]);
    expect(options.allowNames).toEqual(["nunpy", "reqeusts"]);
    expect(options.coolDownMs).toBe(0);
  });
});

describe("known malware", () => {
  test("--osv-url defaults to api.osv.dev and must be http(s); --allow-known-malware takes MAL- ids only", () => {
    expect(resolveWith({}, []).options.osvUrl).toBe("https://api.osv.dev");
    expect(resolveWith({}, ["--osv-url", "http://127.0.0.1:8080"]).options.osvUrl).toBe("http://127.0.0.1:8080");
    expect(failure({}, ["--osv-url", "file:///srv/osv"]).message).toBe("--osv-url: 'file:///srv/osv' must be an http(s) URL");
    expect(resolveWith({}, ["--allow-known-malware", "mal-2025-1"]).options.allowKnownMalware).toEqual(["mal-2025-1"]);
    expect(failure({}, ["--allow-known-malware", "GHSA-xxxx"]).message).toContain("is not a known-malware record id");
  });

  test("--ignore-vuln MAL-… is warned about: it never ignores known malware", () => {
    const { options, warnings } = resolveWith({}, ["--ignore-vuln", "MAL-2025-1", "--ignore-vuln", "GHSA-1"]);
    expect(options.ignoreVulns).toEqual(["MAL-2025-1", "GHSA-1"]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toStartWith("--ignore-vuln MAL-2025-1 has no effect: known malware is never ignored");
  });
});

describe("other checks", () => {
  test("--dry-run cannot print sarif", () => {
    expect(failure({}, ["--dry-run", "--format", "sarif"]).message).toBe("--dry-run prints the requirement set as text or json, not sarif");
  });

  test("unknown PIPCANARY_* variables are warned about", () => {
    expect(resolveWith({}, [], { PIPCANARY_COOLDOWN: "3" }).warnings).toEqual(["ignoring unknown environment variable PIPCANARY_COOLDOWN"]);
  });

  test("options of other commands are ignored in the environment and pyproject.toml", () => {
    const { options } = resolveWith({ "pyproject.toml": "[tool.pipcanary]\ntimeout-fetch = 5\n" }, ["cache", "info"], { PIPCANARY_PRE: "true" });
    expect(options.command).toBe("cache info");
    expect(options.pre).toBe(false);
    expect(options.timeoutFetchSeconds).toBe(600);
  });

  test("--only-binary values accumulate as pip's do", () => {
    expect(resolveWith({}, ["--only-binary", "Foo_Bar,baz", "--only-binary", "qux"]).options.onlyBinary).toEqual(["foo-bar", "baz", "qux"]);
    project?.remove();
    expect(resolveWith({}, ["--only-binary", "foo", "--only-binary", ":all:"]).options.onlyBinary).toEqual([":all:"]);
  });

  test("the index given to pipcanary wins over the files', extra indexes merge", () => {
    const { options } = resolveWith({}, ["--extra-index-url", "https://b.example/simple"]);
    const fromFiles = { indexUrl: "https://file.example/simple", extraIndexUrls: ["https://a.example/simple"], findLinks: [], pre: true, onlyBinary: [] };
    expect(effectiveIndexOptions(options, fromFiles)).toEqual({
      indexUrl: "https://file.example/simple",
      extraIndexUrls: ["https://a.example/simple", "https://b.example/simple"],
      findLinks: [],
      pre: true,
      onlyBinary: [],
      noIndex: false,
      preferBinary: false,
    });
    expect(effectiveIndexOptions({ ...options, indexUrl: "https://cli.example/simple" }, fromFiles).indexUrl).toBe("https://cli.example/simple");
    expect(effectiveIndexOptions(options, { ...fromFiles, indexUrl: undefined }).indexUrl).toBe("https://pypi.org/simple");
  });
});
