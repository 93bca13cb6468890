import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { ScanFailedError } from "../../src/core/errors.ts";
import { ExitCode } from "../../src/core/exit-codes.ts";
import { buildWheel } from "../harness/wheel.ts";
import type { IndexServer } from "../harness/types.ts";
import { useTempDirs } from "../harness/temp.ts";
import { processesMentioning, project, scan, startIndex, waitForNoProcesses } from "./helpers.ts";

const DRIVER = join(import.meta.dir, "driver.ts");

/** Waits until some process of the run has a command line (NUL-separated) that matches `marker`. */
async function waitForProcess(parent: string, marker: RegExp, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const pid of processesMentioning(parent)) {
      try {
        if (marker.test(await Bun.file(`/proc/${pid}/cmdline`).text())) return;
      } catch {
        // Gone in between.
      }
    }
    await Bun.sleep(100);
  }
  throw new Error(`no process with ${marker} appeared`);
}

describe("an interrupted scan leaves nothing behind", () => {
  const tempDir = useTempDirs("pipcanary-e2e");
  let index: IndexServer;

  beforeAll(async () => {
    // Harmless: it only sleeps at import, long enough to be interrupted mid-phase.
    index = await startIndex([project("slow-import", "1.0", buildWheel({ name: "slow-import", version: "1.0", files: { "slow_import/__init__.py": "import time\ntime.sleep(60)\n" } }))]);
  });
  afterAll(async () => {
    await index.stop();
  });

  const cases = [
    // The import phase's interpreter runs with no argument at all (pip's has its runner and more).
    { signal: "SIGINT", exit: ExitCode.Interrupted, during: "import", marker: /\/venv\/bin\/python\0$/ },
    { signal: "SIGTERM", exit: ExitCode.Terminated, during: "fetch", marker: /download/ },
  ] as const;

  for (const { signal, exit, during, marker } of cases) {
    test(`${signal} during the ${during} phase exits ${exit}`, async () => {
      const parent = tempDir(signal.toLowerCase());
      index.setLatency(during === "fetch" ? 2000 : 0);
      const driver = Bun.spawn([process.execPath, DRIVER, JSON.stringify({ indexUrl: index.simpleUrl, names: ["slow-import"], temporaryDirectory: parent })], {
        stdout: "pipe",
        stderr: "pipe",
      });
      await waitForProcess(parent, marker);
      driver.kill(signal);
      expect(await driver.exited).toBe(exit);
      expect(await waitForNoProcesses(parent)).toEqual([]);
      expect(readdirSync(parent)).toEqual([]);
    }, 120_000);
  }

  test("a phase over its time limit fails the scan (exit 2) and leaves nothing", async () => {
    const parent = tempDir("timeout");
    index.setLatency(0);
    const started = Date.now();
    const error = await scan(index, ["slow-import"], parent, { timeouts: { import: 2 } }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ScanFailedError);
    expect((error as ScanFailedError).message).toContain("the import phase did not finish within 2 s");
    expect((error as ScanFailedError).exitCode).toBe(ExitCode.ScanFailed);
    expect(Date.now() - started).toBeLessThan(55_000);
    expect(await waitForNoProcesses(parent)).toEqual([]);
    expect(readdirSync(parent)).toEqual([]);
  }, 120_000);
});
