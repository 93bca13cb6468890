/** The untraced sandbox the wheels' install runs in: a static scan that blocks stops it through its signal. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { untracedSandboxSpawn } from "../../src/pipeline/static-sandbox.ts";
import { createSandboxEnvironment, type SandboxEnvironment, writeLibFile } from "../../src/sandbox/environment.ts";
import { detectHostPython, requireSandboxTools } from "../../src/sandbox/host-python.ts";
import { waitForNoProcesses } from "../e2e/helpers.ts";
import { useTempDirs } from "../harness/temp.ts";

describe("untraced sandbox spawn", () => {
  const tempDir = useTempDirs("pipcanary-untraced");
  let environment: SandboxEnvironment;

  beforeAll(() => {
    environment = createSandboxEnvironment({ python: detectHostPython(), temporaryDirectory: tempDir("env") });
  });
  afterAll(() => {
    environment.release();
  });

  test("an aborted signal kills the sandbox, double-forked processes included, long before its time limit", async () => {
    const started = join(environment.workDir, "started");
    const script = [
      "import os, time",
      "if os.fork() == 0:",
      "    os.setsid()",
      "    if os.fork() == 0:",
      `        open(${JSON.stringify(started)}, "w").close()`,
      "        time.sleep(600)",
      "    os._exit(0)",
      "time.sleep(600)",
      "",
    ].join("\n");
    const path = writeLibFile(environment, "sleeper.py", script);
    const stop = new AbortController();
    const spawn = untracedSandboxSpawn({ tools: requireSandboxTools(), mounts: environment.mounts, env: environment.env, controlDir: environment.controlDir, cwd: environment.workDir, signal: stop.signal });
    const run = spawn([detectHostPython().executable, "-I", path], new Uint8Array(), 600_000);
    while (!existsSync(started)) await Bun.sleep(20);
    stop.abort();
    const result = await run;
    expect(result.timedOut).toBe(false);
    expect(result.exitCode).toBeNull();
    expect(await waitForNoProcesses(environment.runDir)).toEqual([]);
    expect(await waitForNoProcesses(path)).toEqual([]);
  }, 60_000);

  test("a signal aborted before the start never lets the command run", async () => {
    const marker = join(environment.workDir, "ran");
    const stop = new AbortController();
    stop.abort();
    const spawn = untracedSandboxSpawn({ tools: requireSandboxTools(), mounts: environment.mounts, env: environment.env, controlDir: environment.controlDir, cwd: environment.workDir, signal: stop.signal });
    const result = await spawn(["/bin/sh", "-c", `sleep 1; touch ${marker}`], new Uint8Array(), 600_000);
    expect(result.exitCode).toBeNull();
    expect(existsSync(marker)).toBe(false);
    expect(await waitForNoProcesses(environment.runDir)).toEqual([]);
  }, 60_000);
});
