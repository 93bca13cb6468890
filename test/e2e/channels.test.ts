import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type Finding, findingDetails } from "../../src/core/finding.ts";
import { formatScanReport } from "../../src/report/text.ts";
import type { IndexServer } from "../harness/types.ts";
import { useTempDirs } from "../harness/temp.ts";
import { CHANNEL_BENIGN_PROJECTS, CHANNEL_BENIGN_REQUESTS, CHANNEL_CASES } from "./channel-packages.ts";
import { scan, startIndex, waitForNoProcesses } from "./helpers.ts";

const SCAN_TIMEOUT_MS = 120_000;

describe("channels strace cannot see or follow are closed", () => {
  const tempDir = useTempDirs("pipcanary-e2e");
  let index: IndexServer;

  beforeAll(async () => {
    index = await startIndex([...CHANNEL_CASES.map((channel) => channel.project), ...CHANNEL_BENIGN_PROJECTS]);
  });
  afterAll(async () => {
    await index.stop();
  });

  for (const channel of CHANNEL_CASES) {
    test(channel.title, async () => {
      const parent = tempDir(channel.name);
      const result = await scan(index, [channel.name], parent);
      const blocking = result.findings.find((finding: Finding) => finding.severity === "block");
      expect(result.blocked).toBe(true);
      expect({ package: blocking?.package, phase: blocking?.phase, rule: blocking?.ruleId, syscall: blocking && findingDetails(blocking).syscall }).toEqual({
        package: channel.name,
        phase: channel.phase,
        rule: channel.ruleId,
        syscall: channel.syscall,
      });
      expect(formatScanReport(result.findings)).toContain(`in package ${channel.name}.`);
      expect(await waitForNoProcesses(parent)).toEqual([]);
      expect(readdirSync(parent)).toEqual([]);
    }, SCAN_TIMEOUT_MS);
  }

  test("a pool of forks, threads, find_library, git --version and a memfd without exec pass, and strace follows them", async () => {
    const parent = tempDir("calm");
    const traceFile = join(tempDir("trace"), "trace.txt");
    const result = await scan(index, CHANNEL_BENIGN_REQUESTS, parent, { traceFile });
    expect(result.findings).toEqual([]);
    expect(result.blocked).toBe(false);
    const trace = readFileSync(traceFile, "utf8");
    // The children of the import really ran under the tracer: forks, threads and the subprocess's exec.
    const imports = trace.slice(trace.indexOf("phase import"));
    expect(imports).toMatch(/execve\("[^"]*(git|true)", \["[^"]*(git|true)"/);
    expect(imports).toMatch(/"\/sbin\/ldconfig", \["\/sbin\/ldconfig", "-p"\]/);
    expect(imports.match(/clone\(child_stack=NULL, flags=CLONE_CHILD_CLEARTID\|CLONE_CHILD_SETTID\|SIGCHLD/g)?.length ?? 0).toBeGreaterThanOrEqual(5);
    expect(imports).toContain("CLONE_THREAD");
    expect(trace).not.toContain("SIGSYS");
    result.dispose();
    expect(readdirSync(parent)).toEqual([]);
    expect(await waitForNoProcesses(parent)).toEqual([]);
  }, 180_000);
});
