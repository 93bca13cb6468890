/*
 * `pipcanary doctor` run as a user runs it: green on this machine, and inside an outer sandbox
 * whose /proc has read-only over-mounts (bwrap's own --proc makes them, as Docker's masked paths
 * do) it names the masked /proc and its fix; a scan there exits 6 with the same fix.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { demoProjects } from "../../demo/packages.ts";
import type { CheckResult } from "../../src/doctor/checks.ts";
import { requireSandboxTools } from "../../src/sandbox/host-python.ts";
import { startIndex } from "../e2e/helpers.ts";
import { useTempDirs } from "../harness/temp.ts";
import type { IndexServer } from "../harness/types.ts";
import { BUN, MAIN, runCli } from "./run-cli.ts";

const REQUIREMENTS = join(import.meta.dir, "..", "..", "demo", "projects", "safe", "requirements.txt");
const tempDir = useTempDirs("pipcanary-doctor");
let index: IndexServer;

beforeAll(async () => {
  index = await startIndex(demoProjects());
});
afterAll(async () => {
  await index.stop();
});

interface Report {
  ok: boolean;
  checks: CheckResult[];
}

/** Runs pipcanary with `args` under `outer` (an outer sandbox or tracer and its options, up to `--`). */
async function runWithin(outer: string[], args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = Bun.spawn([...outer, "--", BUN, MAIN, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/root" },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { code, stdout, stderr };
}

/** An outer bwrap whose /proc is a fresh one of its own, with bwrap's read-only over-mounts. */
function maskedProc(): string[] {
  return [requireSandboxTools().bwrap, "--unshare-user", "--unshare-pid", "--bind", "/", "/", "--proc", "/proc", "--dev", "/dev"];
}

/** An outer bwrap that forbids nested user namespaces. */
function noNestedUserns(): string[] {
  return [requireSandboxTools().bwrap, "--unshare-user", "--disable-userns", "--bind", "/", "/", "--proc", "/proc", "--dev", "/dev"];
}

/** An outer strace: a traced process cannot trace its own children. */
function traced(): string[] {
  return [requireSandboxTools().strace, "-f", "-o", "/dev/null"];
}

/**
 * doctor under `outer` fails exactly the check `failing` with a fix containing `fixPart`, and a scan
 * there exits 6 with the same fix and a pointer to doctor.
 */
async function expectSameDiagnosis(outer: string[], failing: CheckResult["id"], fixPart: string, label: string): Promise<void> {
  const dir = tempDir(label);
  const paths = ["--cache-dir", join(dir, "cache"), "--temporary-directory", dir];
  const doctor = await runWithin(outer, ["doctor", "--format", "json", ...paths], dir);
  expect(doctor.code).toBe(6);
  const report = JSON.parse(doctor.stdout) as Report;
  expect(report.ok).toBe(false);
  expect(report.checks.filter((check) => check.status === "fail").map((check) => check.id)).toEqual([failing]);
  const failed = report.checks.find((check) => check.id === failing);
  expect(failed?.fix).toContain(fixPart);

  const scan = await runWithin(outer, ["-r", REQUIREMENTS, "-i", index.simpleUrl, "--osv-url", index.url, ...paths], dir);
  expect(scan.stdout).toBe("");
  expect(scan.stderr).toContain("pipcanary: error: the sandbox could not be set up: ");
  expect(scan.stderr).toContain(`pipcanary: hint: ${failed?.fix}; run \`pipcanary doctor\` for a full check\n`);
  expect(scan.code).toBe(6);
}

describe("pipcanary doctor", () => {
  test("on this machine every check is green and it exits 0", async () => {
    const dir = tempDir("green");
    const { code, stdout, stderr } = await runCli(["doctor", "--cache-dir", join(dir, "cache"), "--temporary-directory", dir, "-i", index.simpleUrl], { cwd: dir });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const lines = stdout.trim().split("\n");
    expect(lines.at(-1)).toBe("A scan can run on this machine.");
    for (const line of lines.slice(0, -2)) expect(line).toMatch(/^[✔i] /);
    expect(stdout).toContain("✔ package index reachable");

    const json = await runCli(["doctor", "--format", "json", "--cache-dir", join(dir, "cache"), "--temporary-directory", dir], { cwd: dir });
    const report = JSON.parse(json.stdout) as Report;
    expect(json.code).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.checks.map((check) => check.id)).toEqual(["tools", "container", "bwrap-version", "strace-options", "userns", "proc", "ptrace", "seccomp", "python", "cache", "temporary"]);
    expect(report.checks.filter((check) => check.status !== "ok" && check.status !== "info")).toEqual([]);
  }, 60_000);

  test("an unreachable index or an unwritable cache fails with its fix and exit 6", async () => {
    const dir = tempDir("unreachable");
    const { code, stdout } = await runCli(["doctor", "--cache-dir", "/proc/pipcanary-cache", "--temporary-directory", dir, "-i", "http://127.0.0.1:9/simple"], { cwd: dir });
    expect(code).toBe(6);
    expect(stdout).toMatch(/✘ package index reachable: http:\/\/127\.0\.0\.1:9\/simple.*\n {4}fix: check --index-url/);
    expect(stdout).toMatch(/✘ cache directory writable: .*\n {4}fix: make \/proc\/pipcanary-cache writable for this user, or choose another directory with --cache-dir/);
    expect(stdout).toContain("A scan cannot run on this machine: 2 checks failed.");
  }, 60_000);

  test("a masked /proc: doctor names it and the fix, and a scan exits 6 with the same fix", async () => {
    const dir = tempDir("masked");
    const doctor = await runWithin(maskedProc(), ["doctor", "--format", "json", "--cache-dir", join(dir, "cache"), "--temporary-directory", dir], dir);
    if (/bwrap: .*(No permissions|setting up uid map)/.test(doctor.stderr)) throw new Error(`bwrap cannot run nested on this machine: ${doctor.stderr.trim()}`);
    expect(doctor.code).toBe(6);
    const report = JSON.parse(doctor.stdout) as Report;
    expect(report.ok).toBe(false);
    const proc = report.checks.find((check) => check.id === "proc");
    expect(proc?.status).toBe("fail");
    expect(proc?.detail).toContain("Can't mount proc on /newroot/proc");
    expect(proc?.detail).toContain("masked by over-mounts: /proc/irq, /proc/bus");
    expect(proc?.fix).toContain("systempaths=unconfined");
    expect(report.checks.filter((check) => check.status === "fail").map((check) => check.id)).toEqual(["proc"]);

    const text = await runWithin(maskedProc(), ["doctor", "--cache-dir", join(dir, "cache"), "--temporary-directory", dir], dir);
    expect(text.code).toBe(6);
    expect(text.stdout).toContain(`✘ a fresh /proc mountable in a new PID namespace: ${proc?.detail}\n    fix: ${proc?.fix}\n`);

    const scan = await runWithin(maskedProc(), ["-r", REQUIREMENTS, "-i", index.simpleUrl, "--osv-url", index.url, "--cache-dir", join(dir, "cache"), "--temporary-directory", dir], dir);
    expect(scan.stdout).toBe("");
    expect(scan.stderr).toContain("pipcanary: error: the sandbox could not be set up: bwrap: Can't mount proc on /newroot/proc: Operation not permitted (no new /proc can be mounted");
    expect(scan.stderr).toContain(`pipcanary: hint: ${proc?.fix}; run \`pipcanary doctor\` for a full check\n`);
    expect(scan.code).toBe(6);
  }, 120_000);

  test("nested user namespaces forbidden (an outer bwrap --disable-userns): named, and the scan exits 6 with the same fix", async () => {
    await expectSameDiagnosis(noNestedUserns(), "userns", "--disable-userns", "no-userns");
  }, 120_000);

  test("pipcanary itself traced (an outer strace): ptrace named, and the scan exits 6 with the same fix", async () => {
    await expectSameDiagnosis(traced(), "ptrace", "without strace", "traced");
  }, 120_000);
});
