import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startIndexServer } from "../harness/index-server.ts";
import type { IndexServer } from "../harness/types.ts";
import { buildWheel } from "../harness/wheel.ts";
import { type TempProject, removeTempProjects, tempProject } from "../inputs/temp-project.ts";
import { runCli } from "./run-cli.ts";

const OLD = "2024-01-10T12:00:00Z";
const DAY = 24 * 3600 * 1000;

function wheelRelease(name: string, version: string, uploadTime: string, vulnerabilities: { id: string; fixedIn: string[] }[] = []) {
  return { version, files: [{ ...buildWheel({ name, version, files: { [`${name.replace(/-/g, "_")}/__init__.py`]: "" } }), uploadTime }], vulnerabilities };
}

let server: IndexServer;
let project: TempProject;

beforeAll(async () => {
  const recent = new Date(Date.now() - 2 * DAY).toISOString();
  server = await startIndexServer([
    { name: "oldvuln", releases: [wheelRelease("oldvuln", "1.0", OLD, [{ id: "PYSEC-2024-1", fixedIn: ["1.1"] }]), wheelRelease("oldvuln", "1.1", OLD)] },
    { name: "fresh", releases: [wheelRelease("fresh", "1.0", OLD), wheelRelease("fresh", "2.0", recent)] },
    { name: "calm", releases: [wheelRelease("calm", "1.0", OLD)] },
  ]);
  project = tempProject({
    "vuln.txt": "oldvuln==1.0\ncalm==1.0\n",
    "fresh.txt": "fresh==2.0\n",
    "clean.txt": "calm==1.0\n",
    "loose.txt": "calm>=1.0\n",
  });
});

afterAll(async () => {
  await server.stop();
  removeTempProjects();
});

function audit(file: string, ...extra: string[]) {
  return runCli(["audit", "-r", file, "-i", server.simpleUrl, "--osv-url", server.url, "--cache-dir", project.path("cache"), ...extra], { cwd: project.dir });
}

describe("pipcanary audit wiring", () => {
  test("a known vulnerability exits 4 in the seeds' wording", async () => {
    const result = await audit("vuln.txt");
    expect(result.stdout).toContain("Auditing 2 packages...");
    expect(result.stdout).toContain("Package oldvuln:1.0 has known vulnerabilities: PYSEC-2024-1 (fixed in 1.1).");
    expect(result.code).toBe(4);
  });

  test("--ignore-vuln clears it, and the report says what it left out", async () => {
    const result = await audit("vuln.txt", "--ignore-vuln", "pysec-2024-1");
    expect(result.stdout).toStartWith("Ignored vulnerabilities (--ignore-vuln): pysec-2024-1; left out in this run: PYSEC-2024-1 in oldvuln 1.0.\n");
    expect(result.code).toBe(0);
    const json = await audit("vuln.txt", "--ignore-vuln", "pysec-2024-1", "--format", "json");
    expect(JSON.parse(json.stdout).exemptions).toMatchObject({ ignoredVulnerabilities: ["pysec-2024-1"], ignoredInThisRun: [{ package: "oldvuln", ids: ["PYSEC-2024-1"] }] });
  });

  test("a too-recent upload exits 4 and suggests the older release", async () => {
    const result = await audit("fresh.txt");
    expect(result.stdout).toContain("Package fresh 2.0 was updated too recently:");
    expect(result.stdout).toContain("  - Consider fresh<=1.0 which has no known vulnerabilities");
    expect(result.code).toBe(4);
    const off = await audit("fresh.txt", "-c", "0");
    expect(off.stdout).toContain("Cool-down check off (--cool-down-phase-days 0).\n");
    expect(off.code).toBe(0);
  });

  test("a clean pinned set exits 0, and JSON output parses", async () => {
    const result = await audit("clean.txt", "--format", "json");
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toBeObject();
  });

  test("unpinned input exits 1 naming file:line", async () => {
    const result = await audit("loose.txt");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("loose.txt:1");
    expect(result.stderr).not.toContain("    at ");
  });

  test("--offline with a warm cache makes no request; cache clean empties it", async () => {
    await audit("clean.txt");
    const before = server.requests.length;
    const offline = await audit("clean.txt", "--offline");
    expect(offline.code).toBe(0);
    expect(server.requests.length).toBe(before);
    const info = await runCli(["cache", "info", "--cache-dir", project.path("cache")], { cwd: project.dir });
    expect(info.stdout).toMatch(/Entries: [1-9]/);
    const clean = await runCli(["cache", "clean", "--cache-dir", project.path("cache")], { cwd: project.dir });
    expect(clean.code).toBe(0);
    const after = await runCli(["cache", "info", "--cache-dir", project.path("cache")], { cwd: project.dir });
    expect(after.stdout).toContain("Entries: 0");
  });
});
