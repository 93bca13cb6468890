import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { IndexUnreachableError, ScanFailedError } from "../../src/core/errors.ts";
import { ExitCode } from "../../src/core/exit-codes.ts";
import { runScan } from "../../src/run/orchestrator.ts";
import { EventStream } from "../../src/events/stream.ts";
import { SandboxStages } from "../../src/pipeline/scan.ts";
import { parseRulePack, staticRules } from "../../src/rules/loader.ts";
import type { FixtureFile, IndexServer } from "../harness/types.ts";
import { useTempDirs } from "../harness/temp.ts";
import { buildWheel } from "../harness/wheel.ts";
import { project, requirementSet, scan, scanOptions, startIndex, waitForNoProcesses } from "./helpers.ts";
import { MALICIOUS_CASES } from "./packages.ts";

const SCAN_TIMEOUT_MS = 120_000;

describe("scans that cannot complete, and scans told to skip", () => {
  const tempDir = useTempDirs("pipcanary-e2e");
  let index: IndexServer;
  let lingeringWheel: FixtureFile;
  const evilImport = MALICIOUS_CASES.find((malicious) => malicious.request === "evil-import");

  beforeAll(async () => {
    // Harmless: a double-forked child that only sleeps, far longer than the grace period.
    lingeringWheel = buildWheel({
      name: "lingering",
      version: "1.0",
      files: { "lingering/__init__.py": "import os, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n        time.sleep(30)\n    os._exit(0)\n" },
    });
    index = await startIndex([...(evilImport?.projects ?? []), project("lingering", "1.0", lingeringWheel)]);
  });
  afterAll(async () => {
    await index.stop();
  });

  async function expectNothingLeft(parent: string): Promise<void> {
    expect(await waitForNoProcesses(parent)).toEqual([]);
    expect(readdirSync(parent)).toEqual([]);
  }

  test("an unknown package fails the scan with pip's reason (exit 2)", async () => {
    const parent = tempDir("unknown");
    const error = await scan(index, ["no-such-package"], parent).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ScanFailedError);
    expect((error as ScanFailedError).exitCode).toBe(ExitCode.ScanFailed);
    expect((error as ScanFailedError).message).toContain("No matching distribution found for no-such-package");
    await expectNothingLeft(parent);
  }, SCAN_TIMEOUT_MS);

  test("an index that does not answer is reported as unreachable (exit 3)", async () => {
    const parent = tempDir("unreachable");
    const gone = await startIndex([]);
    await gone.stop();
    const error = await scan(gone, ["anything"], parent).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(IndexUnreachableError);
    expect((error as IndexUnreachableError).exitCode).toBe(ExitCode.IndexUnreachable);
    await expectNothingLeft(parent);
  }, SCAN_TIMEOUT_MS);

  test("--do-not-scan installs a distribution without importing it", async () => {
    const parent = tempDir("skip");
    const result = await scan(index, ["evil-import"], parent, { doNotScan: ["Evil_Import"] });
    expect(result.findings).toEqual([]);
    expect(result.installed.map((distribution) => distribution.name)).toEqual(["evil-import"]);
    result.dispose();
    await expectNothingLeft(parent);
  }, SCAN_TIMEOUT_MS);

  test("a process that outlives the phase by more than the grace period is reported and killed", async () => {
    const parent = tempDir("linger");
    const result = await scan(index, ["lingering"], parent, { graceSeconds: 1 });
    expect(result.blocked).toBe(false);
    expect(result.findings.map(({ ruleId, severity, package: name, phase, subject }) => ({ ruleId, severity, name, phase, kind: subject.kind }))).toEqual([
      { ruleId: "lingering-process", severity: "warn", name: "lingering", phase: "import", kind: "process" },
    ]);
    result.dispose();
    await expectNothingLeft(parent);
  }, SCAN_TIMEOUT_MS);

  test("a blocking static finding stops the scan before the install phase", async () => {
    const parent = tempDir("static");
    const traceFile = join(tempDir("static-trace"), "trace.txt");
    const pack = parseRulePack(
      "test-static.yaml",
      [
        "pack: test-static",
        "api: ^1.0.0",
        "rules:",
        "  - id: static-test",
        "    type: static",
        "    description: Test finding.",
        "    explanation: Any os.fork call.",
        "    severity: block",
        "    match:",
        "      fact: call",
        "      names: [os.fork]",
        "",
      ].join("\n"),
    );
    const result = await runScan(requirementSet(index, ["lingering"]), scanOptions(parent, { traceFile }), { static: { rules: staticRules([pack]), allowlist: [] } });
    expect(result.blocked).toBe(true);
    // One finding per os.fork() call of the module, both in the static phase.
    const seen = new Set(result.findings.map(({ ruleId, severity, package: name, phase, artifactSha256 }) => JSON.stringify({ ruleId, severity, name, phase, artifactSha256 })));
    expect([...seen]).toEqual([JSON.stringify({ ruleId: "static-test", severity: "block", name: "lingering", phase: "static", artifactSha256: lingeringWheel.sha256 })]);
    const phases = readFileSync(traceFile, "utf8").split("\n").filter((line) => line.startsWith("# pipcanary: phase"));
    expect(phases).toEqual(["# pipcanary: phase fetch"]);
    await expectNothingLeft(parent);
  }, SCAN_TIMEOUT_MS);

  test("the static scan's extractor sandbox has no network but loopback", async () => {
    const parent = tempDir("static-net");
    const stages = new SandboxStages(requirementSet(index, ["lingering"]), scanOptions(parent), new EventStream());
    try {
      const sandbox = stages.staticSandbox;
      const probe = await sandbox.spawn([sandbox.python, "-I", "-c", "import socket; print(' '.join(n for _, n in socket.if_nameindex()))"], new Uint8Array(), 60_000);
      expect(probe.stdout.trim()).toBe("lo");
    } finally {
      stages.close();
      stages.dispose();
    }
    await expectNothingLeft(parent);
  }, SCAN_TIMEOUT_MS);

  test("a local find-links directory is visible to pip in the sandbox", async () => {
    const parent = tempDir("links");
    const links = tempDir("find-links");
    const wheel = buildWheel({ name: "local-only", version: "2.0", files: { "local_only/__init__.py": "VALUE = 1\n" } });
    writeFileSync(join(links, wheel.filename), wheel.content);
    const set = requirementSet(index, ["local-only"]);
    set.index.findLinks.push(links);
    const result = await runScan(set, scanOptions(parent));
    expect(result.findings).toEqual([]);
    expect(result.installed.map(({ name, version }) => ({ name, version }))).toEqual([{ name: "local-only", version: "2.0" }]);
    expect(result.installed[0]?.artifacts[0]?.sha256).toBe(wheel.sha256);
    result.dispose();
    await expectNothingLeft(parent);
  }, SCAN_TIMEOUT_MS);
});
