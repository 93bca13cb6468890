/*
 * The example plugins with the compiled binary, as an organisation runs them: `npm run build`'s
 * dist/pipcanary loads `--plugin plugins/<example>.ts` at run time (no bun, no node_modules
 * needed by the plugin), against the fixture index. The verdict changes as each example promises,
 * and a plugin written for another API version is refused with exit 1 and the fix.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { project, startIndex, waitForNoProcesses } from "../e2e/helpers.ts";
import { BUN } from "../cli/run-cli.ts";
import { useTempDirs } from "../harness/temp.ts";
import type { IndexServer } from "../harness/types.ts";
import { buildWheel } from "../harness/wheel.ts";

const ROOT = join(import.meta.dir, "..", "..");
const BINARY = join(ROOT, "dist", "pipcanary");
const PLUGINS = join(ROOT, "plugins");
const SCAN_TIMEOUT_MS = 240_000;

const tempDir = useTempDirs("pipcanary-plugin-binary");
let index: IndexServer;

beforeAll(async () => {
  const build = Bun.spawnSync([BUN, join(ROOT, "scripts", "build.ts")], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  if (build.exitCode !== 0) throw new Error(`npm run build failed: ${build.stderr.toString()}`);
  const wheel = buildWheel({ name: "plugin-demo", version: "1.0.0", files: { "plugin_demo/__init__.py": "VALUE = 1\n" } });
  index = await startIndex([project("plugin-demo", "1.0.0", { ...wheel, uploadTime: new Date(Date.now() - 30 * 86_400_000).toISOString() })]);
}, 120_000);
afterAll(async () => {
  await index?.stop();
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** dist/pipcanary in a fresh dir with a private cache and temp dirs; nothing of the run may be left. */
async function pipcanary(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const dir = tempDir("run");
  const temporary = join(dir, "temporary");
  mkdirSync(temporary);
  writeFileSync(join(dir, "requirements.txt"), "plugin-demo==1.0.0\n");
  const child = Bun.spawn([BINARY, "-r", "requirements.txt", "-i", index.simpleUrl, "--osv-url", index.url, "--cache-dir", join(dir, "cache"), "--temporary-directory", temporary, ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/root", TMPDIR: temporary, ...env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  expect(await waitForNoProcesses(dir)).toEqual([]);
  expect(readdirSync(temporary)).toEqual([]);
  return { code, stdout, stderr };
}

describe("dist/pipcanary --plugin", () => {
  test("without a plugin the package is safe (exit 0)", async () => {
    const run = await pipcanary([]);
    expect(run.stdout).toContain("All packages appear to be safe!");
    expect(run.code).toBe(0);
  }, SCAN_TIMEOUT_MS);

  test("allowed-names: a requirement not on the allowlist blocks before anything is fetched (exit 5); on the list it passes", async () => {
    const plugin = ["--plugin", join(PLUGINS, "allowed-names.ts")];
    const before = index.requests.length;
    const blocked = await pipcanary([...plugin, "--format", "json"], { ALLOWED_NAMES: "requests, six" });
    expect(index.requests.slice(before).filter((request) => request.path.includes("plugin-demo") || request.path.includes("plugin_demo"))).toEqual([]);
    expect(blocked.code).toBe(5);
    const report = JSON.parse(blocked.stdout) as { findings: Array<{ ruleId: string; package: string; phase: string }> };
    expect(report.findings.map(({ ruleId, package: name, phase }) => ({ ruleId, name, phase }))).toEqual([{ ruleId: "org.allowed-names", name: "plugin-demo", phase: "static" }]);
    const allowed = await pipcanary(plugin, { ALLOWED_NAMES: "Plugin_Demo" });
    expect(allowed.code).toBe(0);
  }, SCAN_TIMEOUT_MS);

  test("company-egress: pip fetching from a host that is not the company index blocks (exit 5); from the company index it passes", async () => {
    const plugin = ["--plugin", join(PLUGINS, "company-egress.ts")];
    const blocked = await pipcanary(plugin, { COMPANY_INDEX_HOSTS: "pypi.corp.example" });
    expect(blocked.stdout).toContain("Found suspicious connection to 127.0.0.1:");
    expect(blocked.stdout).toContain("Rule: org.company-egress");
    expect(blocked.code).toBe(5);
    const allowed = await pipcanary(plugin, { COMPANY_INDEX_HOSTS: `127.0.0.1:${new URL(index.url).port}` });
    expect(allowed.code).toBe(0);
  }, SCAN_TIMEOUT_MS);

  test("a plugin written for another plugin API is refused with exit 1, the versions and the fix", async () => {
    const file = join(tempDir("future"), "future.ts");
    writeFileSync(file, 'import { definePlugin } from "pipcanary/plugin";\nexport default definePlugin({ name: "future", api: "^2.0.0", rules: [] });\n');
    const run = await pipcanary(["--plugin", file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toStartWith(`pipcanary: error: plugin future (${file}) needs plugin API ^2.0.0, and this pipcanary implements plugin API 1.1.0\npipcanary: hint: `);
    expect(run.stderr).not.toContain("    at ");
  }, SCAN_TIMEOUT_MS);

  test("pipcanary rules lists the plugin's rule ids with the plugin they come from", async () => {
    const child = Bun.spawnSync([BINARY, "rules", "--plugin", join(PLUGINS, "company-egress.ts")], { stdout: "pipe", stderr: "pipe" });
    const text = child.stdout.toString();
    expect(child.exitCode).toBe(0);
    expect(text).toContain("plugin company-egress:\n  org.company-egress");
    for (const id of ["egress", "egress-refused", "artifact-tampering", "lingering-process", "static.name.homoglyph", "static.name.typosquat", "static.only-binary", "exercise-budget", "exercise-incomplete", "import-failed"]) expect(text).toMatch(new RegExp(`^  ${id.replace(/\./g, "\\.")} +plugin `, "m"));
  });
});
