import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { IndexUnreachableError, PipcanaryError, ScanFailedError } from "../../src/core/errors.ts";
import { ExitCode } from "../../src/core/exit-codes.ts";
import { runScan } from "../../src/run/orchestrator.ts";
import { EventStream } from "../../src/events/stream.ts";
import { SandboxStages } from "../../src/pipeline/scan.ts";
import { parseRulePack } from "../../src/rules/loader.ts";
import type { StaticRule } from "../../src/rules/types.ts";
import type { FailureMode, FixtureFile, IndexServer } from "../harness/types.ts";
import { useTempDirs } from "../harness/temp.ts";
import { buildWheel } from "../harness/wheel.ts";
import { runCli } from "../cli/run-cli.ts";
import { project, requirement, requirementSet, scan, scanOptions, startIndex, waitForNoProcesses } from "./helpers.ts";
import { UNSAFE_SDISTS } from "./persistence-packages.ts";
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
    const result = await runScan(requirementSet(index, ["lingering"]), scanOptions(parent, { traceFile }), { static: { rules: pack.rules.filter((rule): rule is StaticRule => rule.type === "static"), allowlist: [] } });
    expect(result.blocked).toBe(true);
    // One finding per os.fork() call of the module, both in the static phase.
    const seen = new Set(result.findings.map((finding) => JSON.stringify({ ruleId: finding.ruleId, severity: finding.severity, name: finding.package, phase: finding.phase, artifactSha256: finding.source === "static" ? finding.artifactSha256 : undefined })));
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

describe("an index that answers badly is the index's fault (exit 3), named with its host and answer", () => {
  const tempDir = useTempDirs("pipcanary-e2e-index");
  let index: IndexServer;
  const wheel = buildWheel({ name: "plain", version: "1.0", files: { "plain/__init__.py": "VALUE = 1\n" } });
  const slip = UNSAFE_SDISTS.find((item) => item.ruleId === "static.archive.unsafe-path");

  beforeAll(async () => {
    index = await startIndex([project("plain", "1.0", wheel), ...(slip ? [slip.project] : [])]);
  });
  afterAll(async () => {
    await index.stop();
  });

  async function failure(path: string, mode: FailureMode, set = requirementSet(index, ["plain"])): Promise<PipcanaryError> {
    const parent = tempDir("run");
    index.clearFailures();
    index.fail(path, mode);
    const error = await runScan(set, scanOptions(parent)).catch((caught: unknown) => caught);
    index.clearFailures();
    expect(await waitForNoProcesses(parent)).toEqual([]);
    expect(readdirSync(parent)).toEqual([]);
    expect(error).toBeInstanceOf(PipcanaryError);
    const known = error as PipcanaryError;
    expect(known.hint ?? "").not.toContain("check the requirement names");
    return known;
  }

  const host = () => new URL(index.url).host;

  test("a server error on the project's index page", async () => {
    const error = await failure("/simple/plain", { kind: "status", status: 500 });
    expect(error.exitCode).toBe(ExitCode.IndexUnreachable);
    expect(error.message).toContain(`${host()} answered HTTP 500 for the index page of plain`);
    expect(error.hint).toContain("try again later");
  }, SCAN_TIMEOUT_MS);

  test("an HTML page that is no index page, and malformed JSON", async () => {
    const html = await failure("/simple/plain", { kind: "garbage-html" });
    expect(html.exitCode).toBe(ExitCode.IndexUnreachable);
    expect(html.message).toContain(`${host()} answered the index page of plain`);
    expect(html.message).toContain("an HTML page that links no files, not a package index page");
    expect(html.hint).toContain("--index-url");
    const json = await failure("/simple/plain", { kind: "malformed-json" });
    expect(json.exitCode).toBe(ExitCode.IndexUnreachable);
    expect(json.message).toContain("not a package index page");
  }, SCAN_TIMEOUT_MS);

  test("a server error on the download", async () => {
    const error = await failure("/files/", { kind: "status", status: 500 });
    expect(error.exitCode).toBe(ExitCode.IndexUnreachable);
    expect(error.message).toBe(`${host()} answered HTTP 500 for ${wheel.filename}, also when pip asked again`);
  }, SCAN_TIMEOUT_MS);

  test("a truncated download", async () => {
    const error = await failure("/files/", { kind: "truncated" });
    expect(error.exitCode).toBe(ExitCode.IndexUnreachable);
    expect(error.message).toStartWith(`the download of ${wheel.filename} from ${host()} was cut short or altered`);
  }, SCAN_TIMEOUT_MS);

  test("a file that does not match the user's pinned hash names the user's file and line", async () => {
    const set = requirementSet(index, []);
    const pinned = `sha256:${"0".repeat(64)}`;
    set.requirements.push(
      { ...requirement("other-name"), constraint: true },
      { ...requirement("plain", "==1.0"), hashes: [pinned], origin: { file: "deploy/requirements.txt", line: 7 } },
    );
    const parent = tempDir("hash");
    const error = await runScan(set, scanOptions(parent)).catch((caught: unknown) => caught);
    expect(await waitForNoProcesses(parent)).toEqual([]);
    expect(error).toBeInstanceOf(PipcanaryError);
    const known = error as PipcanaryError;
    expect(known.exitCode).toBe(ExitCode.IndexUnreachable);
    expect(known.message).toBe(`deploy/requirements.txt:7: ${wheel.filename} from ${host()} does not match the hash pinned for plain (got sha256:${wheel.sha256})`);
    expect(known.hint).toContain("update its --hash");
  }, SCAN_TIMEOUT_MS);

  test("a tar-slip sdist that pip meets first is exit 5 under the archive rule, through the CLI", async () => {
    if (!slip) throw new Error("the tar-slip fixture is missing");
    const dir = tempDir("cli");
    writeFileSync(join(dir, "requirements.txt"), `${slip.package}\n`);
    const run = tempDir("cli-run");
    const result = await runCli(["-r", "requirements.txt", "-i", index.simpleUrl, "--osv-url", index.url, "--cache-dir", join(dir, "cache"), "--temporary-directory", run], { cwd: dir });
    expect(result.code).toBe(ExitCode.MaliciousActivity);
    expect(result.stdout).toContain(`in package ${slip.package}`);
    expect(result.stdout).toContain(`Rule: ${slip.ruleId}`);
    expect(await waitForNoProcesses(run)).toEqual([]);
    expect(readdirSync(run)).toEqual([]);
  }, SCAN_TIMEOUT_MS);
});
