import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Finding } from "../../src/core/finding.ts";
import type { IndexServer } from "../harness/types.ts";
import { useTempDirs } from "../harness/temp.ts";
import { describeBlockedCases } from "./blocked-cases.ts";
import { EXERCISE_BENIGN_PROJECTS, EXERCISE_BENIGN_REQUESTS, EXERCISE_CASES, wheel } from "./exercise-packages.ts";
import { scan, startIndex, waitForNoProcesses } from "./helpers.ts";

describeBlockedCases("the exercise step catches code that runs on use, and writes into the venv", EXERCISE_CASES);

const importPhaseOf = (trace: string) => trace.slice(trace.indexOf("# pipcanary: phase import"));

const notes = (findings: readonly Finding[], severity: Finding["severity"]) =>
  findings.filter((finding) => finding.severity === severity).map(({ ruleId, package: name }) => ({ ruleId, package: name }));

describe("the exercise step leaves benign packages clean", () => {
  const tempDir = useTempDirs("pipcanary-e2e");
  let index: IndexServer;

  beforeAll(async () => {
    index = await startIndex([
      ...EXERCISE_BENIGN_PROJECTS,
      wheel("slow-import", { "slow_import/__init__.py": "import time\ntime.sleep(3)\n", "slow_import/later.py": "VALUE = 1\n" }),
      wheel("early-exit", { "early_exit/__init__.py": "", "early_exit/a.py": "import os\nos._exit(0)\n", "early_exit/b.py": "VALUE = 1\n" }),
      wheel("stuck-thread", { "stuck_thread/__init__.py": "import threading, time\nthreading.Thread(target=time.sleep, args=(60,)).start()\n" }),
    ]);
  });
  afterAll(async () => {
    await index.stop();
  });

  test("a console script printing help, a fork pool, a short thread, a module that fails to import", async () => {
    const parent = tempDir("benign");
    const traceFile = join(tempDir("trace"), "trace.txt");
    const result = await scan(index, EXERCISE_BENIGN_REQUESTS, parent, { traceFile });
    expect(result.blocked).toBe(false);
    expect(notes(result.findings, "block")).toEqual([]);
    expect(notes(result.findings, "warn")).toEqual([]);
    const failed = result.findings.filter((finding) => finding.ruleId === "import-failed");
    expect(failed.map((finding) => [finding.package, finding.severity])).toEqual([["good-optional", "info"]]);
    expect(failed[0]?.explanation).toContain("good_optional.extra");

    // One plain interpreter start (its workers are forks), and the console script really ran both ways.
    const importPhase = importPhaseOf(readFileSync(traceFile, "utf8"));
    const pythonArgvs = [...importPhase.matchAll(/execve\("[^"]*\/venv\/bin\/python", (\[[^\]]*\])/g)].map((match) => JSON.parse(match[1] ?? "[]"));
    expect(pythonArgvs).toEqual([[expect.stringMatching(/\/venv\/bin\/python$/)]]);
    expect(importPhase).toMatch(/execve\("[^"]*\/venv\/bin\/good-cli", \["[^"]*\/venv\/bin\/good-cli", "--help"\]/);
    expect(importPhase).toMatch(/execve\("[^"]*\/venv\/bin\/good-cli", \["[^"]*\/venv\/bin\/good-cli", "--version"\]/);
    result.dispose();
    expect(readdirSync(parent)).toEqual([]);
    expect(await waitForNoProcesses(parent)).toEqual([]);
  }, 180_000);

  test("the time budget per distribution is reported when reached, and the rest is skipped", async () => {
    const parent = tempDir("budget");
    const traceFile = join(tempDir("budget-trace"), "trace.txt");
    const result = await scan(index, ["slow-import"], parent, { exerciseSeconds: 1, traceFile });
    expect(result.blocked).toBe(false);
    expect(notes(result.findings, "warn")).toEqual([{ ruleId: "exercise-budget", package: "slow-import" }]);
    const importPhase = importPhaseOf(readFileSync(traceFile, "utf8"));
    expect(importPhase).toContain("slow_import/__init__.py");
    expect(importPhase).not.toContain("slow_import/later.py");
    result.dispose();
    expect(await waitForNoProcesses(parent)).toEqual([]);
  }, 180_000);

  test("a module that ends the process before the others were imported is reported", async () => {
    const parent = tempDir("early-exit");
    const result = await scan(index, ["early-exit"], parent);
    expect(result.blocked).toBe(false);
    expect(notes(result.findings, "warn")).toEqual([{ ruleId: "exercise-incomplete", package: "early-exit" }]);
    result.dispose();
    expect(await waitForNoProcesses(parent)).toEqual([]);
  }, 180_000);

  test("a thread still running after the grace period is reported as lingering and killed", async () => {
    const parent = tempDir("lingering");
    const result = await scan(index, ["stuck-thread"], parent, { graceSeconds: 1 });
    expect(result.blocked).toBe(false);
    expect(notes(result.findings, "warn")).toEqual([{ ruleId: "lingering-process", package: "stuck-thread" }]);
    result.dispose();
    expect(readdirSync(parent)).toEqual([]);
    expect(await waitForNoProcesses(parent)).toEqual([]);
  }, 180_000);
});
