/*
 * The exact commands the GitHub Action's scan step, the pre-commit hook and the GitLab job run,
 * taken from their files, with the real CLI as `pipcanary` on PATH, against the demo index on 127.0.0.1: a safe
 * demo project passes (exit 0) and a malicious one fails the step or the commit with exit 5.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { demoProjects } from "../../demo/packages.ts";
import { startIndex } from "../e2e/helpers.ts";
import { useTempDirs } from "../harness/temp.ts";
import type { IndexServer } from "../harness/types.ts";
import { ROOT, actionStep, field, inputExpressions, pipcanaryBin, readYaml, runProcess, runStep, text } from "./ci-files.ts";

const DEMO = join(ROOT, "demo", "projects");
const tempDir = useTempDirs("pipcanary-ci-scans");
let index: IndexServer;

beforeAll(async () => {
  index = await startIndex(demoProjects());
});
afterAll(async () => {
  await index.stop();
});

/** A run dir with the real CLI first on PATH, and the options every CLI test passes to stay on loopback. */
function setUp(): { dir: string; path: string; options: string[]; env: Record<string, string> } {
  const dir = tempDir("run");
  const temporary = join(dir, "temporary");
  const tmp = join(dir, "tmp");
  mkdirSync(temporary);
  mkdirSync(tmp);
  const options = ["-i", index.simpleUrl, "--osv-url", index.url, "--cache-dir", join(dir, "cache"), "--temporary-directory", temporary];
  return { dir, path: `${pipcanaryBin(join(dir, "bin"))}:${process.env.PATH ?? "/usr/bin:/bin"}`, options, env: { HOME: process.env.HOME ?? "/root", TMPDIR: tmp } };
}

describe("GitHub Action: scan step, then the failing step", () => {
  const action = readYaml("action.yml");

  async function scanStep(project: string): Promise<{ step: Awaited<ReturnType<typeof runStep>>; sarif: string; json: string; last: Awaited<ReturnType<typeof runStep>> }> {
    const { dir, path, options, env } = setUp();
    const inputs = { requirements: join(DEMO, project, "requirements.txt"), args: options.join(" "), "sarif-file": "report.sarif", "json-file": "report.json" };
    const step = await runStep(actionStep(action, "Scan"), inputExpressions(action, inputs), { cwd: dir, path, env });
    const last = await runStep(actionStep(action, "Fail with pipcanary's exit code"), { "steps.scan.outputs.exit-code": step.outputs["exit-code"] ?? "" }, { cwd: dir, path, env });
    return { step, sarif: readFileSync(join(dir, "report.sarif"), "utf8"), json: readFileSync(join(dir, "report.json"), "utf8"), last };
  }

  test("safe demo project: exit 0, the human report in the log, SARIF and JSON reports without errors, the job passes", async () => {
    const { step, sarif, json, last } = await scanStep("safe");
    expect(step.code).toBe(0);
    expect(step.outputs).toEqual({ "exit-code": "0", sarif: "true", "sarif-file": "report.sarif", "json-file": "report.json" });
    expect(step.stdout).toContain("All packages appear to be safe!");
    expect(step.stderr).toMatch(/^import: \d+\/\d+ canary-demo-/m);
    expect(field(JSON.parse(json) as unknown, "verdict")).toBe("safe");
    const report = JSON.parse(sarif) as unknown;
    expect(field(report, "version")).toBe("2.1.0");
    const runs = field(report, "runs") as unknown[];
    const levels = (field(runs[0], "results") as unknown[]).map((result) => field(result, "level"));
    expect(levels).not.toContain("error");
    expect(last.code).toBe(0);
  });

  test("behavioural demo project: the step records exit 5 and a SARIF finding, the last step fails with 5", async () => {
    const { step, sarif, last } = await scanStep("behavioural");
    expect(step.code).toBe(0);
    expect(step.outputs).toEqual({ "exit-code": "5", sarif: "true", "sarif-file": "report.sarif", "json-file": "report.json" });
    expect(sarif).toContain("canary-demo-stealer");
    const runs = field(JSON.parse(sarif) as unknown, "runs") as unknown[];
    expect((field(runs[0], "results") as unknown[]).map((result) => field(result, "level"))).toContain("error");
    expect(last.code).toBe(5);
  });
});

describe("pre-commit hook: entry, args and changed files as pre-commit passes them", () => {
  const hooks = readYaml(".pre-commit-hooks.yaml") as unknown[];
  const entry = join(ROOT, text(field(hooks[0], "entry"), "entry"));

  async function commit(project: string): Promise<number> {
    const { dir, path, options, env } = setUp();
    const run = await runProcess([entry, ...options, join(DEMO, project, "requirements.txt")], { cwd: dir, env: { ...env, PATH: path } });
    return run.code;
  }

  test("safe demo project: the commit goes through", async () => {
    expect(await commit("safe")).toBe(0);
  });

  test("static demo project (.pth running decoded code): the commit is stopped with exit 5", async () => {
    expect(await commit("static")).toBe(5);
  });
});

describe("GitLab job script", () => {
  const job = field(readYaml("ci/gitlab/pipcanary.gitlab-ci.yml"), ".pipcanary");

  test("static demo project: one scan prints the report and writes both files, and the job fails with exit 5", async () => {
    const { dir, path, options, env } = setUp();
    const script = (field(job, "script") as string[]).join("\n");
    const variables = { CANARY_REQUIREMENTS: join(DEMO, "static", "requirements.txt"), CANARY_PROJECT: "", CANARY_ARGS: options.join(" ") };
    const run = await runProcess(["sh", "-c", script], { cwd: dir, env: { ...env, ...variables, PATH: path } });
    expect(run.code).toBe(5);
    expect(run.stdout).toContain("canary-demo-obfuscated");
    const json = readFileSync(join(dir, "pipcanary.json"), "utf8");
    expect(() => JSON.parse(json) as unknown).not.toThrow();
    expect(json).toContain("canary-demo-obfuscated");
    expect(field(JSON.parse(readFileSync(join(dir, "pipcanary.sarif"), "utf8")) as unknown, "version")).toBe("2.1.0");
  });
});
