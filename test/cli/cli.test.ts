import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import pkg from "../../package.json" with { type: "json" };
import { HELP_SPECS, OPTION_SPECS, optionsOf } from "../../src/cli/option-table.ts";
import { EXIT_CODE_HELP } from "../../src/core/exit-codes.ts";
import { type TempProject, removeTempProjects, tempProject } from "../inputs/temp-project.ts";
import { BUN, MAIN, runCli } from "./run-cli.ts";

const SHA_A = "a".repeat(64);
const SHA_B = "b".repeat(64);

let project: TempProject;

beforeAll(() => {
  project = tempProject({
    "requirements.txt": [
      "# demo",
      "-r base/common.txt",
      "-c constraints.txt",
      `requests[socks]==2.31.0 ; python_version >= "3.8" --hash=sha256:${SHA_A}  # inline`,
      `legacy==1.0 ; python_version < "3" --hash=sha256:${SHA_B}`,
      `pinned==1.0 \\`,
      `    --hash=sha256:${SHA_A} \\`,
      `    --hash=sha256:${SHA_B}`,
      `tool @ https://example.org/tool-1.0-py3-none-any.whl --hash=sha256:${SHA_A}`,
    ].join("\n"),
    "base/common.txt": `--extra-index-url https://extra.example/simple\nattrs==23.1.0 --hash=sha256:${SHA_B}\n`,
    "constraints.txt": "urllib3<2\n",
    "bad.txt": "requests\nflask >=\n",
    "poetry/pyproject.toml": [
      "[tool.poetry]",
      'name = "demo"',
      "[tool.poetry.dependencies]",
      'python = "^3.9"',
      'flask = "^2.3.2"',
      'zero = "^0.2.3"',
      'tilde = "~1.2.3"',
      "[dependency-groups]",
      'test = ["pytest>=8", {include-group = "lint"}]',
      'lint = ["ruff==0.6.*"]',
    ].join("\n"),
    "configured/pyproject.toml": '[project]\nname = "c"\ndependencies = ["attrs"]\n\n[tool.pipcanary]\nformat = "json"\nrequirement = ["extra.txt"]\n',
    "configured/extra.txt": "six\n",
    "configured/cli.txt": "idna\n",
    "unsafe/pyproject.toml": '[project]\nname = "u"\ndependencies = []\n[tool.pipcanary]\npass-env = ["AWS_SECRET_ACCESS_KEY"]\n',
    "empty/.keep": "",
    "bypass/pyproject.toml": '[project]\nname = "b"\ndependencies = ["attrs"]\n\n[tool.pipcanary]\ndo-not-scan = ["attrs"]\n',
  });
});

afterAll(removeTempProjects);

function expectNoStack(stderr: string): void {
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(stderr).not.toContain("internal error");
}

describe("--version and --help", () => {
  test("--version prints the package version", async () => {
    const result = await runCli(["--version"], { cwd: project.dir });
    expect(result).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: "" });
  });

  test("--help lists every option with its default, the commands and the exit codes", async () => {
    const { code, stdout } = await runCli(["--help"], { cwd: project.dir });
    expect(code).toBe(0);
    for (const spec of [...optionsOf("scan"), ...HELP_SPECS]) {
      expect(stdout).toContain(`--${spec.name}`);
      if (spec.short) expect(stdout).toContain(`-${spec.short}, --${spec.name}`);
      expect(stdout.replace(/\s+/g, " ")).toContain(`(default: ${spec.defaultText})`);
    }
    for (const command of ["scan", "audit", "lock", "install", "rules", "cache"]) expect(stdout).toMatch(new RegExp(`^  ${command} `, "m"));
    for (const [exitCode, meaning] of EXIT_CODE_HELP) expect(stdout).toContain(`${String(exitCode).padStart(5)}  ${meaning}\n`);
    expect(stdout).toContain("PIPCANARY_");
    expect(stdout).toContain("[tool.pipcanary]");
    expect(stdout).not.toContain("\u001b[");
  });

  test("every option of the table appears in some --help", async () => {
    const texts = await Promise.all([["--help"], ["audit", "--help"], ["rules", "--help"], ["cache", "--help"]].map((args) => runCli(args, { cwd: project.dir })));
    const all = texts.map((result) => result.stdout).join("\n");
    for (const spec of OPTION_SPECS) expect(all).toContain(`--${spec.name}`);
  });

  test("each subcommand has a real --help with its own options", async () => {
    for (const words of [["scan"], ["audit"], ["lock"], ["install"], ["rules"], ["cache"], ["cache", "info"], ["cache", "clean"]]) {
      const { code, stdout } = await runCli([...words, "--help"], { cwd: project.dir });
      expect(code).toBe(0);
      expect(stdout).toStartWith(`pipcanary ${words.join(" ")} ${pkg.version} — `);
      expect(stdout).toContain("EXIT CODES");
    }
    const audit = await runCli(["audit", "--help"], { cwd: project.dir });
    expect(audit.stdout).toContain("--ignore-vuln");
    expect(audit.stdout).not.toContain("--pass-env");
    const cache = await runCli(["cache", "clean", "-h"], { cwd: project.dir });
    expect(cache.stdout).toContain("--cache-dir");
    expect(cache.stdout).not.toContain("--requirement");
  });
});

describe("bad command lines exit 1 with a message, never a stack trace", () => {
  test("unknown option", async () => {
    const { code, stdout, stderr } = await runCli(["--frobnicate", "-r", "requirements.txt"], { cwd: project.dir });
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toBe("pipcanary: error: unknown option '--frobnicate'\npipcanary: hint: see pipcanary scan --help\n");
  });

  test("unknown command, option of another command, stray argument, missing value", async () => {
    const cases: Array<[string[], string]> = [
      [["frobnicate"], "pipcanary: error: unknown command 'frobnicate'"],
      [["cache", "info", "-r", "x.txt"], "pipcanary: error: option '-r' does not apply to 'pipcanary cache info'"],
      [["-r", "requirements.txt", "constraints.txt", "--dry-run"], "pipcanary: error: unexpected argument 'constraints.txt': to scan it, pass -r constraints.txt or -p constraints.txt"],
      [["--dry-run", "scan", "stray"], "pipcanary: error: unexpected argument 'stray'"],
      [["--dry-run", "-r"], "pipcanary: error: option -r/--requirement needs a value (FILE)"],
      [["--format"], "pipcanary: error: option --format needs a value (text|json|sarif)"],
      [["cache"], "pipcanary: error: 'pipcanary cache' needs an action: info or clean"],
    ];
    for (const [args, message] of cases) {
      const { code, stderr } = await runCli(args, { cwd: project.dir });
      expect(code).toBe(1);
      expect(stderr).toStartWith(message);
      expectNoStack(stderr);
    }
  });

  test("--no-sandbox does not exist, and a project file cannot weaken the sandbox", async () => {
    const unknown = await runCli(["--no-sandbox", "--dry-run", "-r", "requirements.txt"], { cwd: project.dir });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("--no-sandbox");
    expectNoStack(unknown.stderr);
    const fromProject = await runCli(["--dry-run"], { cwd: project.path("unsafe") });
    expect(fromProject.code).toBe(1);
    expect(fromProject.stderr).toStartWith("pipcanary: error: pyproject.toml:5: [tool.pipcanary] cannot set 'pass-env'");
  });

  test("a project file that switches part of the scan off is refused, with the file, the key and the fix", async () => {
    const refused = await runCli(["--dry-run"], { cwd: project.path("bypass") });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe("");
    expect(refused.stderr).toBe(
      "pipcanary: error: pyproject.toml:6: [tool.pipcanary] cannot set 'do-not-scan': a project file must not be able to weaken the scan\n" +
        "pipcanary: hint: pass it on the command line (--do-not-scan) or in PIPCANARY_DO_NOT_SCAN, and remove it from [tool.pipcanary]\n",
    );
  });

  test("--help lists --allow-name and the keys a project file may not set", async () => {
    const { stdout } = await runCli(["--help"], { cwd: project.dir });
    expect(stdout).toContain("--allow-name NAME");
    expect(stdout.replace(/\s+/g, " ")).toMatch(/Not allowed in pyproject\.toml \(pass them on the command line or as PIPCANARY_<NAME>\): [^.]*--do-not-scan[^.]*--allow-name[^.]*a --cool-down-phase-days shorter than the default\./);
  });

  test("--log-level silent keeps the exit code and prints nothing", async () => {
    const { code, stdout, stderr } = await runCli(["--log-level", "silent", "--bogus"], { cwd: project.dir });
    expect({ code, stdout, stderr }).toEqual({ code: 1, stdout: "", stderr: "" });
  });
});

describe("--dry-run", () => {
  test("text: includes, constraints, hashes, markers with applicability, extras, URLs, origins", async () => {
    const { code, stdout, stderr } = await runCli(["--dry-run", "-r", "requirements.txt"], { cwd: project.dir });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Requirement set for CPython 3\.\d+\.\d+ on linux: 5 requirements, 1 constraint$/m);
    expect(stdout).toContain(`  attrs==23.1.0\n      hashes: sha256:${SHA_B}\n      origin: base/common.txt:2\n`);
    expect(stdout).toContain(`  requests[socks]==2.31.0\n      marker: python_version >= "3.8"  (applies to this interpreter)\n      hashes: sha256:${SHA_A}\n      origin: requirements.txt:4\n`);
    expect(stdout).toContain(`  legacy==1.0\n      marker: python_version < "3"  (does not apply to this interpreter)\n      hashes: sha256:${SHA_B}\n      origin: requirements.txt:5\n`);
    expect(stdout).toContain(`  pinned==1.0\n      hashes: sha256:${SHA_A}\n              sha256:${SHA_B}\n      origin: requirements.txt:6\n`);
    expect(stdout).toContain(`  tool @ https://example.org/tool-1.0-py3-none-any.whl\n      hashes: sha256:${SHA_A}\n      origin: requirements.txt:9\n`);
    expect(stdout).toContain("Constraints:\n  urllib3<2\n      origin: constraints.txt:1\n");
    expect(stdout).toContain("  index URL: https://pypi.org/simple\n  extra index URL: https://extra.example/simple\n");
  });

  test("json: the same set, machine-readable", async () => {
    const { code, stdout } = await runCli(["--dry-run", "--format", "json", "-r", "requirements.txt", "-i", "https://cli.example/simple"], { cwd: project.dir });
    expect(code).toBe(0);
    const document = JSON.parse(stdout);
    expect(document.requirements.map((r: { name: string }) => r.name)).toEqual(["attrs", "urllib3", "requests", "legacy", "pinned", "tool"]);
    const requests = document.requirements[2];
    expect(requests).toEqual({
      name: "requests",
      normalizedName: "requests",
      extras: ["socks"],
      specifier: "==2.31.0",
      url: null,
      marker: 'python_version >= "3.8"',
      markerApplies: true,
      hashes: [`sha256:${SHA_A}`],
      constraint: false,
      origin: { file: "requirements.txt", line: 4 },
    });
    expect(document.requirements[1].constraint).toBe(true);
    expect(document.requirements[3].markerApplies).toBe(false);
    expect(document.requirements[4].hashes).toEqual([`sha256:${SHA_A}`, `sha256:${SHA_B}`]);
    expect(document.requirements[5].url).toBe("https://example.org/tool-1.0-py3-none-any.whl");
    expect(document.index.indexUrl).toBe("https://cli.example/simple");
    expect(document.index.extraIndexUrls).toEqual(["https://extra.example/simple"]);
    expect(document.environment.sys_platform).toBe("linux");
  });

  test("pyproject.toml with Poetry constraints and dependency groups prints PEP 440 specifiers", async () => {
    const { code, stdout } = await runCli(["--dry-run", "--group", "test"], { cwd: project.path("poetry") });
    expect(code).toBe(0);
    expect(stdout).toContain("  flask>=2.3.2,<3.0.0\n      origin: pyproject.toml:5\n");
    expect(stdout).toContain("  zero>=0.2.3,<0.3.0\n      origin: pyproject.toml:6\n");
    expect(stdout).toContain("  tilde>=1.2.3,<1.3.0\n      origin: pyproject.toml:7\n");
    expect(stdout).toContain("  pytest>=8\n      origin: pyproject.toml:9\n");
    expect(stdout).toContain("  ruff==0.6.*\n      origin: pyproject.toml:10\n");
    const noGroups = await runCli(["--dry-run"], { cwd: project.path("poetry") });
    expect(noGroups.stdout).not.toContain("pytest");
  });

  test("a reader that stops early (| head) is not an error", async () => {
    project.write("many.txt", Array.from({ length: 20_000 }, (_, i) => `package-${i}==1.0`).join("\n"));
    const child = Bun.spawn([BUN, MAIN, "--dry-run", "-r", "many.txt"], { cwd: project.dir, stdout: "pipe", stderr: "pipe", env: { PATH: process.env.PATH ?? "" } });
    const reader = child.stdout.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toStartWith("Requirement set: 20000 requirements");
    await reader.cancel();
    expect(await child.exited).toBe(0);
    expect(await new Response(child.stderr).text()).toBe("");
  });

  test("a file with a bad line exits 1 naming file:line", async () => {
    const { code, stdout, stderr } = await runCli(["--dry-run", "-r", "bad.txt"], { cwd: project.dir });
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toBe("pipcanary: error: bad.txt:2: invalid requirement 'flask >=': expected a version after '>=' (column 7)\n");
  });

  test("nothing to scan exits 1 saying what to pass", async () => {
    const { code, stderr } = await runCli(["--dry-run"], { cwd: project.path("empty") });
    expect(code).toBe(1);
    expect(stderr).toContain("pipcanary: error: nothing to scan: there is no pyproject.toml or requirements.txt in ");
    expect(stderr).toContain("pipcanary: hint: pass -r requirements.txt or -p pyproject.toml");
  });

  test("[tool.pipcanary] and PIPCANARY_* feed the same run; the command line wins, lists merge", async () => {
    const fromConfig = await runCli(["--dry-run", "-r", "cli.txt", "-p", "pyproject.toml"], { cwd: project.path("configured"), env: { PIPCANARY_EXTRA_INDEX_URL: "https://env.example/simple" } });
    expect(fromConfig.code).toBe(0);
    const document = JSON.parse(fromConfig.stdout);
    expect(document.requirements.map((r: { name: string; origin: { file: string } }) => `${r.name} ${r.origin.file}`)).toEqual(["six extra.txt", "idna cli.txt", "attrs pyproject.toml"]);
    expect(document.index.extraIndexUrls).toEqual(["https://env.example/simple"]);
    const overridden = await runCli(["--dry-run", "--format", "text", "-r", "cli.txt"], { cwd: project.path("configured"), env: { PIPCANARY_FORMAT: "json" } });
    expect(overridden.stdout).toStartWith("Requirement set");
    const fromEnv = await runCli(["--dry-run", "-r", "cli.txt"], { cwd: project.path("configured"), env: { PIPCANARY_FORMAT: "text" } });
    expect(fromEnv.stdout).toStartWith("Requirement set");
    const badEnv = await runCli(["--dry-run"], { cwd: project.path("configured"), env: { PIPCANARY_COOL_DOWN_PHASE_DAYS: "a week" } });
    expect(badEnv.code).toBe(1);
    expect(badEnv.stderr).toStartWith("pipcanary: error: environment variable PIPCANARY_COOL_DOWN_PHASE_DAYS: 'a week' is not a number of days");
  });
});

describe("plugin files and command preconditions", () => {
  test("a plugin file that is not a plugin, does not parse or needs another API exits 1 naming the file and the fix", async () => {
    const cases: Array<[string, string, (path: string) => string]> = [
      ["not-a-plugin.ts", "export {};\n", (path) => `pipcanary: error: plugin ${path} is not a pipcanary plugin: its default export is not an object`],
      ["broken.ts", "export default {\n", (path) => `pipcanary: error: plugin ${path} could not be loaded: `],
      ["future.ts", 'export default { name: "future", api: "^2.0.0", rules: [] };\n', (path) => `pipcanary: error: plugin future (${path}) needs plugin API ^2.0.0, and this pipcanary implements plugin API 1.1.0`],
    ];
    for (const [file, text, message] of cases) {
      project.write(file, text);
      const { code, stderr } = await runCli(["-r", "requirements.txt", "--plugin", file], { cwd: project.dir });
      expect(code).toBe(1);
      expect(stderr).toStartWith(message(project.path(file)));
      expect(stderr).toContain("pipcanary: hint: ");
      expectNoStack(stderr);
    }
  });

  test("lock without -l or --pylock exits 1 with the fix", async () => {
    const { code, stderr } = await runCli(["lock", "-r", "requirements.txt"], { cwd: project.dir });
    expect(code).toBe(1);
    expect(stderr).toContain("add -l requirements.lock and/or --pylock pylock.toml");
    const invalid = await runCli(["audit", "-r", "requirements.txt", "--vuln-service", "nvd"], { cwd: project.dir });
    expect(invalid.code).toBe(1);
  });

  test("--dry-run works for every command that reads requirements", async () => {
    for (const command of ["scan", "audit", "lock", "install"]) {
      const { code, stdout } = await runCli([command, "--dry-run", "-r", "constraints.txt"], { cwd: project.dir });
      expect(code).toBe(0);
      expect(stdout).toStartWith("Requirement set");
    }
  });
});
