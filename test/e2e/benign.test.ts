import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { formatScanReport, SAFE_MESSAGE } from "../../src/report/text.ts";
import type { IndexServer } from "../harness/types.ts";
import { useTempDirs } from "../harness/temp.ts";
import { scan, startIndex, waitForNoProcesses } from "./helpers.ts";
import { BENIGN_PROJECTS, BENIGN_REQUESTS } from "./packages.ts";

describe("benign packages pass", () => {
  const tempDir = useTempDirs("pipcanary-e2e");
  let index: IndexServer;

  beforeAll(async () => {
    index = await startIndex(BENIGN_PROJECTS);
  });
  afterAll(async () => {
    await index.stop();
  });

  test("own data, ~/.cache/<name>, uname, /etc/os-release, path-only and start-up .pth files, an sdist", async () => {
    const parent = tempDir("benign");
    const traceFile = join(tempDir("trace"), "trace.txt");
    const result = await scan(index, BENIGN_REQUESTS, parent, { traceFile });
    expect(result.findings).toEqual([]);
    expect(result.blocked).toBe(false);
    expect(formatScanReport(result.findings)).toBe(SAFE_MESSAGE);

    // The behaviour really ran (in the import phase), it just was not flagged.
    const trace = readFileSync(traceFile, "utf8");
    expect(trace).toContain(`${homedir()}/.cache/good-cache/x`);
    expect(trace).toMatch(/execve\("\/usr\/bin\/uname", \["uname", "-sr"\]/);
    expect(trace).toMatch(/openat\([^\n]*"\/etc\/os-release"/);
    // Wheels are installed untraced with their bytecode compiled, so the import opens the .pyc.
    expect(trace).toMatch(/openat\([^\n]*good_pathpth_src\/(?:__pycache__\/good_pathpth\.cpython-\d+\.pyc|good_pathpth\.py)/);
    expect(trace).toMatch(/openat\([^\n]*good_data\/data\.txt/);
    expect(trace).toMatch(/openat\([^\n]*good_execpth\.pth/);
    // The sdist was built into a wheel under the trace; the wheels were installed without one.
    expect(trace).toMatch(/"--disable-pip-version-check", "wheel"/);
    expect(trace).not.toMatch(/"--disable-pip-version-check", "install"/);
    const sdist = result.artifacts.find((artifact) => artifact.kind === "sdist");
    expect(sdist?.builtWheel?.filename).toMatch(/^good_sdist-1\.0-py3-none-any\.whl$/);

    // Every installed distribution comes with the exact files the index served.
    const served = new Map(BENIGN_PROJECTS.map((fixture) => [fixture.name, fixture.releases[0]?.files[0]?.sha256]));
    expect(result.installed.map((distribution) => distribution.name).sort()).toEqual([...BENIGN_REQUESTS].sort());
    for (const distribution of result.installed) {
      expect(distribution.direct).toBe(true);
      expect(distribution.artifacts.map((artifact) => artifact.sha256)).toEqual([served.get(distribution.name) ?? "missing"]);
      for (const artifact of distribution.artifacts) expect(existsSync(artifact.path)).toBe(true);
    }
    expect(result.buildArtifacts.map((artifact) => artifact.name).sort()).toEqual(["setuptools", "wheel"]);

    // Artifacts live until the caller disposes of the result; then nothing is left.
    result.dispose();
    expect(readdirSync(parent)).toEqual([]);
    expect(await waitForNoProcesses(parent)).toEqual([]);
  }, 180_000);
});
