/*
 * -o FORMAT:FILE, -q and -v through the CLI, on `pipcanary audit` (no sandbox needed), and
 * `rules --format sarif`. The scan's SARIF per verdict is in test/e2e/cli-scan.test.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { startIndexServer } from "../harness/index-server.ts";
import type { IndexServer } from "../harness/types.ts";
import { buildWheel } from "../harness/wheel.ts";
import { type TempProject, removeTempProjects, tempProject } from "../inputs/temp-project.ts";
import { reportProblems, sarifProblems } from "../report/schemas.ts";
import { runCli } from "./run-cli.ts";

const OLD = "2024-01-10T12:00:00Z";

let server: IndexServer;
let project: TempProject;

beforeAll(async () => {
  const file = (name: string, version: string) => ({ ...buildWheel({ name, version, files: { [`${name}/__init__.py`]: "" } }), uploadTime: OLD });
  const calm = file("calm", "1.0");
  const oldvuln = file("oldvuln", "1.0");
  server = await startIndexServer([
    { name: "oldvuln", releases: [{ version: "1.0", files: [oldvuln], vulnerabilities: [{ id: "PYSEC-2024-1", fixedIn: ["1.1"] }] }] },
    { name: "calm", releases: [{ version: "1.0", files: [calm], vulnerabilities: [] }] },
  ]);
  const wheels = (wheel: typeof calm) => `wheels = [{ name = "${wheel.filename}", hashes = { sha256 = "${wheel.sha256}" } }]`;
  project = tempProject({
    "vuln.txt": "calm==1.0\noldvuln==1.0\n",
    "clean.txt": "calm==1.0\n",
    "missing.txt": "absent==1.0\n",
    "pylock.toml": ['lock-version = "1.0"', 'created-by = "hand"', "", "[[packages]]", 'name = "calm"', 'version = "1.0"', wheels(calm), "", "[[packages]]", 'name = "oldvuln"', 'version = "1.0"', wheels(oldvuln), ""].join("\n"),
  });
});

afterAll(async () => {
  await server.stop();
  removeTempProjects();
});

function audit(file: string, ...extra: string[]) {
  return runCli(["audit", "-r", file, "-i", server.simpleUrl, "--osv-url", server.url, "--cache-dir", project.path("cache"), ...extra], { cwd: project.dir });
}

describe("-o FORMAT:FILE", () => {
  test("writes SARIF and JSON files while the text report still goes to stdout", async () => {
    const result = await audit("vuln.txt", "-o", "sarif:out/results.sarif", "-o", "json:report.json");
    expect(result.code).toBe(4);
    expect(result.stdout).toContain("Package oldvuln:1.0 has known vulnerabilities: PYSEC-2024-1 (fixed in 1.1).");
    const sarif = JSON.parse(readFileSync(project.path("out/results.sarif"), "utf8")) as { runs: Array<{ results: Array<{ ruleId: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }> }> }> };
    expect(sarifProblems(sarif)).toEqual([]);
    const result0 = sarif.runs[0]?.results[0];
    expect([result0?.ruleId, result0?.locations[0]?.physicalLocation.artifactLocation.uri, result0?.locations[0]?.physicalLocation.region.startLine]).toEqual(["PYSEC-2024-1", "vuln.txt", 2]);
    const json = JSON.parse(readFileSync(project.path("report.json"), "utf8")) as { verdict: string; exitCode: number };
    expect(reportProblems(json)).toEqual([]);
    expect([json.verdict, json.exitCode]).toEqual(["audit-findings", 4]);
    // Written whole through a temp file and a rename: nothing else is left beside them.
    expect(readdirSync(project.path("out"))).toEqual(["results.sarif"]);
  });

  test("a finding about a pylock.toml package points at its name line", async () => {
    const result = await audit("pylock.toml", "-o", "sarif:lock.sarif");
    expect(result.code).toBe(4);
    const sarif = JSON.parse(readFileSync(project.path("lock.sarif"), "utf8")) as { runs: Array<{ results: Array<{ locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }> }> }> };
    expect(sarifProblems(sarif)).toEqual([]);
    expect(sarif.runs[0]?.results.map((entry) => [entry.locations[0]?.physicalLocation.artifactLocation.uri, entry.locations[0]?.physicalLocation.region.startLine])).toEqual([["pylock.toml", 10]]);
  });

  test("a run that fails still writes its report, saying why, and exits with its own code", async () => {
    const result = await audit("missing.txt", "-o", "sarif:failed.sarif", "--format", "json");
    expect(result.code).toBe(3);
    const sarif = JSON.parse(readFileSync(project.path("failed.sarif"), "utf8")) as { runs: Array<{ invocations: Array<{ executionSuccessful: boolean; exitCode: number; toolExecutionNotifications: Array<{ message: { text: string } }> }> }> };
    expect(sarifProblems(sarif)).toEqual([]);
    const [invocation] = sarif.runs[0]?.invocations ?? [];
    expect(invocation).toMatchObject({ executionSuccessful: false, exitCode: 3 });
    expect(invocation?.toolExecutionNotifications[0]?.message.text).toContain("absent");
    const json = JSON.parse(result.stdout) as { verdict: string; failure: { message: string } };
    expect(reportProblems(json)).toEqual([]);
    expect(json.verdict).toBe("index-unreachable");
  });

  test("a value without FORMAT: is an input error with an example", async () => {
    const result = await audit("clean.txt", "-o", "results.sarif");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("expected FORMAT:FILE");
    expect(result.stderr).toContain("-o sarif:results.sarif");
    expect(existsSync(project.path("results.sarif"))).toBe(false);
  });
});

describe("-q and -v", () => {
  test("-q prints only the verdict line; -v adds debug lines", async () => {
    const quiet = await audit("vuln.txt", "-q");
    expect(quiet.code).toBe(4);
    expect(quiet.stdout).toBe("Package oldvuln:1.0 has known vulnerability PYSEC-2024-1 (fixed in 1.1). Blocking findings in: oldvuln (exit 4).\n");
    const clean = await audit("clean.txt", "-q");
    expect(clean.stdout).toBe("All packages appear to be safe!\n");
    const verbose = await audit("clean.txt", "-v");
    expect(verbose.stderr).toContain("pipcanary: debug: ");
    expect(clean.stderr).not.toContain("pipcanary: debug: ");
  });

  test("-q with -v, or with --log-level, is refused", async () => {
    expect((await audit("clean.txt", "-q", "-v")).stderr).toContain("-q/--quiet and -v/--verbose contradict each other");
    expect((await audit("clean.txt", "-v", "--log-level", "warn")).code).toBe(1);
  });
});

describe("pipcanary rules --format sarif", () => {
  test("every rule with help text and a security-severity, no results", async () => {
    const result = await runCli(["rules", "--format", "sarif"], { cwd: project.dir });
    expect(result.code).toBe(0);
    const sarif = JSON.parse(result.stdout) as { runs: Array<{ results: unknown[]; tool: { driver: { rules: Array<{ id: string; help: { text: string }; properties: Record<string, string> }> } } }> };
    expect(sarifProblems(sarif)).toEqual([]);
    const rules = sarif.runs[0]?.tool.driver.rules ?? [];
    expect(rules.map((rule) => rule.id)).toContain("ssh");
    expect(rules.map((rule) => rule.id)).toContain("static.pth.code");
    expect(sarif.runs[0]?.results).toEqual([]);
  });
});
