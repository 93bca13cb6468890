/*
 * The wired scan through the CLI, as a user runs it: `bun src/main.ts` with the real bwrap, strace
 * and pip against a fixture index serving the demo packages (demo/packages.ts), on the demo
 * projects' own requirements files. One test per verdict and output format, the lock files read
 * back by the host pip and by `pipcanary audit`, `pipcanary install` into a venv, and the cases
 * that must stop before anything runs. Every scan must leave no process and no temp dir.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { parse as parseToml } from "smol-toml";
import { demoProjects } from "../../demo/packages.ts";
import { detectHostPython } from "../../src/sandbox/host-python.ts";
import { type CliResult, runCli } from "../cli/run-cli.ts";
import { sha256Hex } from "../harness/distribution-format.ts";
import { hostPython, makeVenv, runIsolated, runPip } from "../harness/pip.ts";
import { useTempDirs } from "../harness/temp.ts";
import type { FixtureFile, IndexServer } from "../harness/types.ts";
import { buildWheel } from "../harness/wheel.ts";
import { reportProblems, sarifProblems } from "../report/schemas.ts";
import { project, startIndex, waitForNoProcesses } from "./helpers.ts";

const SCAN_TIMEOUT_MS = 240_000;
const DEMO = join(import.meta.dir, "..", "..", "demo", "projects");
const SAFE_MESSAGE = "All packages appear to be safe!";

/** Issue 5's case: the key path is a plain constant, so the static scan stops it before import. */
const OBVIOUS_STEALER = project(
  "canary-obvious-stealer",
  "1.0.0",
  buildWheel({
    name: "canary-obvious-stealer",
    version: "1.0.0",
    files: {
      "canary_obvious_stealer/__init__.py": [
        "import os",
        "try:",
        "    with open(os.path.expanduser('~/.ssh/id_rsa'), 'rb') as handle:",
        "        handle.read()",
        "except OSError:",
        "    pass",
        "",
      ].join("\n"),
    },
  }),
);

/** Harmless wheels whose names look like popular projects': one edit away (blocks), a suffix (warns). */
const lookAlike = (name: string, module: string) =>
  project(name, "1.0.0", {
    ...buildWheel({ name, version: "1.0.0", files: { [`${module}/__init__.py`]: "VALUE = 1\n" } }),
    uploadTime: new Date(Date.now() - 30 * 86_400_000).toISOString(),
  });
const ONE_EDIT = lookAlike("reqeusts", "reqeusts");
const SUFFIXED = lookAlike("requests-py", "requests_py");

/** strace lines of syscalls whose quoted arguments are data (file contents, packets), not paths. */
const DATA_SYSCALL = /^\d+ +(read|write|pread64|pwrite64|readv|writev|sendto|recvfrom|sendmsg|recvmsg)\(/;

const tempDir = useTempDirs("pipcanary-cli-scan");
let index: IndexServer;
/** Every file the fixture index serves, by file name. */
const served = new Map<string, FixtureFile>();

beforeAll(async () => {
  const projects = [...demoProjects(), OBVIOUS_STEALER, ONE_EDIT, SUFFIXED];
  for (const file of projects.flatMap((fixture) => fixture.releases.flatMap((release) => release.files))) served.set(file.filename, file);
  index = await startIndex(projects);
});
afterAll(async () => {
  await index.stop();
});

function demoRequirements(name: string): string {
  return join(DEMO, name, "requirements.txt");
}

interface Run extends CliResult {
  /** The test's own directory: cwd, and where lock and trace files go. */
  dir: string;
}

/**
 * Runs pipcanary with a private cache, --temporary-directory and TMPDIR inside a fresh test dir,
 * then checks that no process of the run is left and that both temp roots are empty again.
 */
async function pipcanary(args: string[], env: Record<string, string> = {}, dir = tempDir("run")): Promise<Run> {
  const runTemp = join(dir, "temporary");
  const tmp = join(dir, "tmp");
  mkdirSync(runTemp, { recursive: true });
  mkdirSync(tmp, { recursive: true });
  const scans = args[0] !== "audit";
  const extra = [...(scans ? ["--temporary-directory", runTemp] : []), "--cache-dir", join(dir, "cache"), "--osv-url", index.url];
  const result = await runCli([...args, ...extra], { cwd: dir, env: { TMPDIR: tmp, ...env } });
  expect(await waitForNoProcesses(dir)).toEqual([]);
  expect(readdirSync(runTemp)).toEqual([]);
  expect(readdirSync(tmp)).toEqual([]);
  return { ...result, dir };
}

function scanDemo(name: string, extra: string[] = [], env: Record<string, string> = {}, dir?: string): Promise<Run> {
  return pipcanary(["-r", demoRequirements(name), "-i", index.simpleUrl, ...extra], env, dir);
}

/** `name==version \` + `--hash=sha256:…` lines of a requirements lock, as name → hashes. */
function lockedHashes(text: string): Map<string, string[]> {
  const locked = new Map<string, string[]>();
  let current: string[] = [];
  for (const line of text.split("\n")) {
    const pin = /^([A-Za-z0-9._-]+==\S+)/.exec(line);
    if (pin?.[1]) locked.set(pin[1], (current = []));
    for (const hash of line.matchAll(/--hash=sha256:([0-9a-f]{64})/g)) current.push(hash[1] ?? "");
  }
  return locked;
}

describe("one verdict per demo project", () => {
  test("safe: a wheel and an sdist pass; -l and --pylock write exactly the served files' hashes", async () => {
    const run = await scanDemo("safe", ["-l", "lock.txt", "--pylock", "pylock.toml"]);
    expect(run.stdout).toContain("Auditing 2 packages...");
    expect(run.stdout.trimEnd()).toEndWith(SAFE_MESSAGE);
    expect(run.code).toBe(0);
    // stderr is no terminal here: the CI progress lines name the phase, the count and the package.
    expect(run.stderr).toMatch(/^static: 0\/4 \S+\.(whl|tar\.gz), \d+s$/m);
    expect(run.stderr).toMatch(/^install: 0\/1 canary-demo-utils, \d+s$/m);
    expect(run.stderr).toMatch(/^import: 0\/2 canary-demo-(safe|utils), \d+s$/m);
    expect(run.stderr).toMatch(/^import: done \(2 of 2\) in \d+s$/m);

    const lock = readFileSync(join(run.dir, "lock.txt"), "utf8");
    const safeWheel = served.get("canary_demo_safe-1.0.0-py3-none-any.whl");
    const utilsSdist = served.get("canary_demo_utils-0.3.1.tar.gz");
    expect([...lockedHashes(lock)]).toEqual([
      ["canary-demo-safe==1.0.0", [safeWheel?.sha256 ?? "missing"]],
      ["canary-demo-utils==0.3.1", [utilsSdist?.sha256 ?? "missing"]],
    ]);

    const pylock = parseToml(readFileSync(join(run.dir, "pylock.toml"), "utf8")) as {
      "lock-version": string;
      packages: Array<{ name: string; version: string; wheels?: Array<{ name: string; hashes: { sha256: string } }>; sdist?: { name: string; hashes: { sha256: string } } }>;
    };
    expect(pylock["lock-version"]).toBe("1.0");
    const pylockFiles = pylock.packages.flatMap((entry) => [...(entry.wheels ?? []), ...(entry.sdist ? [entry.sdist] : [])]);
    expect(pylockFiles.map((file) => [file.name, file.hashes.sha256]).sort()).toEqual(
      [safeWheel, utilsSdist].map((file) => [file?.filename ?? "missing", file?.sha256 ?? "missing"]).sort(),
    );

    // The host pip, isolated from this machine's pip configuration, accepts the lock as it is.
    const downloads = join(run.dir, "downloads");
    const pip = await runPip(["download", "--require-hashes", "--no-deps", "--index-url", index.simpleUrl, "-d", downloads, "-r", join(run.dir, "lock.txt")], {
      home: tempDir("pip-home"),
    });
    expect(pip.stderr).not.toContain("ERROR");
    expect(pip.exitCode).toBe(0);
    expect(readdirSync(downloads).sort()).toEqual(["canary_demo_safe-1.0.0-py3-none-any.whl", "canary_demo_utils-0.3.1.tar.gz"]);
    for (const name of readdirSync(downloads)) expect(sha256Hex(readFileSync(join(downloads, name)))).toBe(served.get(name)?.sha256 ?? "missing");

    for (const file of ["lock.txt", "pylock.toml"]) {
      const audit = await pipcanary(["audit", "-r", join(run.dir, file), "-i", index.simpleUrl]);
      expect(audit.stdout).toContain("Auditing 2 packages...");
      expect(audit.code).toBe(0);
    }
  }, SCAN_TIMEOUT_MS);

  test("behavioural: the import's read of ~/.ssh/id_rsa through a hidden path is caught in the sandbox; no lock", async () => {
    const run = await scanDemo("behavioural", ["-l", "lock.txt", "--pylock", "pylock.toml"]);
    expect(run.stdout).toStartWith(`Found suspicious access to ${join(homedir(), ".ssh", "id_rsa")} in package canary-demo-stealer.\n`);
    expect(run.stdout).toContain("Description: SSH private key exfiltration.");
    expect(run.stdout).toContain("This could be dangerous!!!");
    expect(run.stdout).toContain("Phase: import");
    // Nothing in the wheel gave the static scan a reason to stop it first.
    expect(run.stdout).not.toContain("Phase: static");
    expect(run.code).toBe(5);
    expect(existsSync(join(run.dir, "lock.txt"))).toBe(false);
    expect(existsSync(join(run.dir, "pylock.toml"))).toBe(false);
  }, SCAN_TIMEOUT_MS);

  test("static: a .pth hook executing base64-decoded code is blocked before any of its code runs; no lock", async () => {
    const run = await scanDemo("static", ["-l", "lock.txt"]);
    expect(run.stdout).toStartWith("Found suspicious code in canary_demo_obfuscated.pth:1 in package canary-demo-obfuscated.\n");
    expect(run.stdout).toContain("Phase: static");
    expect(run.stdout).toContain('Code: import base64; exec(base64.b64decode("');
    expect(run.stderr).toContain("Scanning 1 archive(s) statically");
    // The wheel's untraced install may start beside the static scan (it runs no package code); the
    // block stops it, and nothing is built or imported.
    expect(run.stderr).not.toContain("Building");
    expect(run.stderr).not.toContain("Importing");
    expect(run.code).toBe(5);
    expect(existsSync(join(run.dir, "lock.txt"))).toBe(false);
  }, SCAN_TIMEOUT_MS);

  test("audit-vulnerable: the pinned release's vulnerability and its fix are named; no lock", async () => {
    const run = await scanDemo("audit-vulnerable", ["-l", "lock.txt", "--pylock", "pylock.toml"]);
    expect(run.stdout).toContain("Auditing 1 packages...");
    expect(run.stdout).toContain("Package canary-demo-oldlib:1.0.0 has known vulnerabilities: PYSEC-2026-0001 (fixed in 1.1.0).");
    expect(run.stdout).toContain("  - Vulnerabilities in the following package(s) were found: canary-demo-oldlib:1.0.0.");
    expect(run.stdout).not.toContain(SAFE_MESSAGE);
    expect(run.code).toBe(4);
    expect(existsSync(join(run.dir, "lock.txt"))).toBe(false);
    expect(existsSync(join(run.dir, "pylock.toml"))).toBe(false);
  }, SCAN_TIMEOUT_MS);

  test("audit-recent: yesterday's upload gets the cool-down warning, the older release and the allow hint", async () => {
    const run = await scanDemo("audit-recent");
    const uploaded = /Package canary-demo-fresh 2\.0\.0 was updated too recently: (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\./.exec(run.stdout)?.[1];
    expect(uploaded).toBeDefined();
    // The index dates the upload one day before it started.
    expect(Math.abs(Date.parse(`${uploaded}Z`) - (Date.now() - 24 * 60 * 60 * 1000))).toBeLessThan(10 * 60 * 1000);
    expect(run.stdout).toContain("  - Consider canary-demo-fresh<=1.9.0 which has no known vulnerabilities");
    const hint = `--allow-upload-time='canary-demo-fresh<=${uploaded}'`;
    expect(run.stdout).toContain(`  - If you are certain that the latest upload is secure, add the following argument: ${hint}`);
    expect(run.stdout).toContain("  - The following package(s) were uploaded too recently: canary-demo-fresh.");
    expect(run.code).toBe(4);

    // The hint works as printed (checked by the audit alone, which needs no sandbox).
    const pinned = join(run.dir, "pinned.txt");
    writeFileSync(pinned, "canary-demo-fresh==2.0.0\n");
    const allowed = await pipcanary(["audit", "-r", pinned, "-i", index.simpleUrl, `--allow-upload-time=canary-demo-fresh<=${uploaded}`]);
    expect(allowed.code).toBe(0);
  }, SCAN_TIMEOUT_MS);
});

describe("nothing is skipped, ignored or accepted silently", () => {
  const exemptionArgs = ["--do-not-scan", "canary-demo-utils", "--ignore-vuln", "PYSEC-2026-9999", "--allowlist", "canary-demo-safe", "-c", "3d"];
  const exemptionLines = [
    "Not imported in the sandbox (--do-not-scan): canary-demo-utils.",
    "Ignored vulnerabilities (--ignore-vuln): PYSEC-2026-9999.",
    "Static findings lowered one level (--allowlist): canary-demo-safe.",
    "Cool-down shortened to 3 days (default 7 days).",
  ];

  test("text: every exemption and the non-default index are printed before the all-clear", async () => {
    const run = await scanDemo("safe", exemptionArgs);
    for (const line of exemptionLines) expect(run.stdout).toContain(`${line}\n`);
    expect(run.stdout).toContain(`Package source other than PyPI (index-url, from the command line or environment): ${index.simpleUrl}.\n`);
    expect(run.stdout.trimEnd()).toEndWith(SAFE_MESSAGE);
    expect(run.code).toBe(0);
  }, SCAN_TIMEOUT_MS);

  test("json and sarif carry the same exemptions", async () => {
    const json = await scanDemo("safe", [...exemptionArgs, "--format", "json"]);
    const report = JSON.parse(json.stdout) as { exemptions: { notImported: string[]; ignoredVulnerabilities: string[]; allowlisted: string[]; coolDownDays: number; sources: Array<{ url: string }> } };
    expect(report.exemptions).toMatchObject({ notImported: ["canary-demo-utils"], ignoredVulnerabilities: ["PYSEC-2026-9999"], allowlisted: ["canary-demo-safe"], coolDownDays: 3 });
    expect(report.exemptions.sources.map((source) => source.url)).toEqual([index.simpleUrl]);

    const sarifRun = await scanDemo("safe", [...exemptionArgs, "--format", "sarif"]);
    const sarif = JSON.parse(sarifRun.stdout) as { runs: Array<{ invocations: Array<{ toolConfigurationNotifications: Array<{ message: { text: string } }> }>; properties: { exemptions: unknown } }> };
    const notifications = sarif.runs[0]?.invocations[0]?.toolConfigurationNotifications.map((notification) => notification.message.text);
    expect(notifications).toEqual(expect.arrayContaining(exemptionLines));
    expect(sarif.runs[0]?.properties.exemptions).toMatchObject({ notImported: ["canary-demo-utils"] });
  }, SCAN_TIMEOUT_MS);

  test("a name one edit away from a popular project blocks before anything is downloaded", async () => {
    const dir = tempDir("one-edit");
    writeFileSync(join(dir, "requirements.txt"), "reqeusts==1.0.0\n");
    const run = await pipcanary(["-r", join(dir, "requirements.txt"), "-i", index.simpleUrl], {}, dir);
    expect(run.stdout).toStartWith('Found suspicious name reqeusts (two swapped letters from "requests") in package reqeusts.\n');
    expect(run.stdout).toContain("accept it with --allow-name reqeusts.");
    expect(run.stderr).not.toContain("Downloading");
    expect(run.code).toBe(5);
  }, SCAN_TIMEOUT_MS);

  test("--allow-name accepts it, the report says so, and a warning replaces the all-clear with a count", async () => {
    const dir = tempDir("allowed-name");
    writeFileSync(join(dir, "requirements.txt"), "reqeusts==1.0.0\nrequests-py==1.0.0\n");
    const run = await pipcanary(["-r", join(dir, "requirements.txt"), "-i", index.simpleUrl, "--allow-name", "reqeusts"], {}, dir);
    expect(run.stdout).toContain('Warning: Found suspicious name requests-py (a py/python prefix or suffix from "requests") in package requests-py.');
    expect(run.stdout).toContain("Look-alike package names accepted (--allow-name): reqeusts.\n");
    expect(run.stdout).not.toContain(SAFE_MESSAGE);
    expect(run.stdout.trimEnd()).toEndWith("No blocking findings, but 1 warning needs a look.");
    expect(run.code).toBe(0);
  }, SCAN_TIMEOUT_MS);
});

describe("machine-readable reports", () => {
  test("--format json: verdict, no warnings, and the installed files with the sha256 the index served", async () => {
    const run = await scanDemo("safe", ["--format", "json"]);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as {
      exitCode: number;
      verdict: string;
      findings: Array<{ severity: string; package: string | null }>;
      installed: Array<{ name: string; version: string; artifacts: Array<{ filename: string; sha256: string }> }>;
      audit: unknown;
    };
    expect(report.exitCode).toBe(0);
    expect(report.verdict).toBe("safe");
    // Informational notes about the build tools (setuptools reads ~/.pypirc for uploads) may be listed.
    expect(report.findings.filter((finding) => finding.severity !== "info")).toEqual([]);
    expect(report.findings.filter((finding) => finding.package?.startsWith("canary-demo-"))).toEqual([]);
    expect(report.audit).not.toBeNull();
    expect(report.installed.map((dist) => `${dist.name}==${dist.version}`).sort()).toEqual(["canary-demo-safe==1.0.0", "canary-demo-utils==0.3.1"]);
    for (const artifact of report.installed.flatMap((dist) => dist.artifacts)) expect(artifact.sha256).toBe(served.get(artifact.filename)?.sha256 ?? "missing");
  }, SCAN_TIMEOUT_MS);

  test("--format json of a blocked scan: verdict malicious and the finding with its blame", async () => {
    const run = await scanDemo("static", ["--format", "json"]);
    expect(run.code).toBe(5);
    const report = JSON.parse(run.stdout) as { verdict: string; findings: Array<{ ruleId: string; severity: string; package: string; phase: string; message: string }> };
    expect(report.verdict).toBe("malicious");
    const blocking = report.findings.filter((finding) => finding.severity === "block");
    expect(blocking.map((finding) => [finding.package, finding.phase])).toContainEqual(["canary-demo-obfuscated", "static"]);
    expect(blocking.map((finding) => finding.ruleId)).toContain("static.pth.code");
  }, SCAN_TIMEOUT_MS);

  test("--format sarif: a SARIF 2.1.0 log with the sandbox finding as an error", async () => {
    const run = await scanDemo("behavioural", ["--format", "sarif"]);
    expect(run.code).toBe(5);
    const sarif = JSON.parse(run.stdout) as {
      version: string;
      runs: Array<{ tool: { driver: { name: string; rules: Array<{ id: string }> } }; results: Array<{ ruleId: string; level: string; message: { text: string }; properties: { package: string; phase: string } }> }>;
    };
    expect(sarif.version).toBe("2.1.0");
    const [sarifRun] = sarif.runs;
    expect(sarifRun?.tool.driver.name).toBe("pipcanary");
    expect(sarifRun?.tool.driver.rules.map((rule) => rule.id)).toContain("ssh");
    const result = sarifRun?.results.find((candidate) => candidate.ruleId === "ssh");
    expect(result?.level).toBe("error");
    expect(result?.properties).toMatchObject({ package: "canary-demo-stealer", phase: "import" });
    expect(result?.message.text).toContain(join(homedir(), ".ssh", "id_rsa"));
    // The path is built at run time: the static scan had nothing to say about this package.
    expect(sarifRun?.results.filter((candidate) => candidate.properties.phase === "static")).toEqual([]);
  }, SCAN_TIMEOUT_MS);
});

describe("SARIF and JSON files for each verdict kind (-o, with the text report on stdout)", () => {
  const cases: ReadonlyArray<readonly [string, number, string, string]> = [
    ["safe", 0, "safe", ""],
    ["behavioural", 5, "malicious", "ssh"],
    ["static", 5, "malicious", "static.pth.code"],
    ["audit-vulnerable", 4, "audit-findings", "PYSEC-2026-0001"],
    ["audit-recent", 4, "audit-findings", "cool-down"],
  ];
  for (const [name, code, verdict, ruleId] of cases) {
    test(`${name}: exit ${code}, valid SARIF with a physical location at the requirement's line on every result, valid JSON`, async () => {
      const dir = tempDir(`sarif-${name}`);
      const text = readFileSync(demoRequirements(name), "utf8");
      writeFileSync(join(dir, "requirements.txt"), text);
      const line = text.split("\n").findIndex((entry) => /^canary-demo-/.test(entry)) + 1;
      const run = await pipcanary(["-r", "requirements.txt", "-i", index.simpleUrl, "-o", "sarif:results.sarif", "-o", "json:report.json"], {}, dir);
      expect(run.code).toBe(code);
      expect(run.stdout.length).toBeGreaterThan(0);

      const sarif = JSON.parse(readFileSync(join(dir, "results.sarif"), "utf8")) as {
        runs: Array<{
          invocations: Array<{ exitCode: number; executionSuccessful: boolean }>;
          results: Array<{ ruleId: string; level: string; partialFingerprints: Record<string, string>; locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }> }>;
        }>;
      };
      expect(sarifProblems(sarif)).toEqual([]);
      const [sarifRun] = sarif.runs;
      expect(sarifRun?.invocations[0]).toMatchObject({ exitCode: code, executionSuccessful: true });
      for (const result of sarifRun?.results ?? []) {
        expect(result.locations[0]?.physicalLocation.artifactLocation.uri).toBe("requirements.txt");
        expect(result.locations[0]?.physicalLocation.region.startLine).toBe(line);
        expect(Object.values(result.partialFingerprints)[0]).toMatch(/^[0-9a-f]{64}$/);
      }
      const errors = (sarifRun?.results ?? []).filter((result) => result.level === "error").map((result) => result.ruleId);
      expect(errors).toEqual(ruleId === "" ? [] : expect.arrayContaining([ruleId]));

      const json = JSON.parse(readFileSync(join(dir, "report.json"), "utf8")) as { verdict: string; exitCode: number };
      expect(reportProblems(json)).toEqual([]);
      expect([json.verdict, json.exitCode]).toEqual([verdict, code]);
    }, SCAN_TIMEOUT_MS);
  }
});

describe("pipcanary install", () => {
  test("inside a venv the sandbox uses the venv's base interpreter and binds the venv's pip read-only", async () => {
    const venv = await makeVenv(join(tempDir("venv-only"), "venv"), { home: tempDir("venv-home"), withPip: true });
    const detected = detectHostPython(venv.python);
    expect(detected.executable).toBe(realpathSync(hostPython()));
    expect(detected.pipRunner.startsWith(realpathSync(venv.dir))).toBe(true);
    expect(detected.bindRoots).toContain(dirname(detected.pipRunner));
    expect(detectHostPython(hostPython()).bindRoots.some((root) => root.startsWith(realpathSync(venv.dir)))).toBe(false);
  });

  test("installs exactly the scanned files into the active venv, which can then import them", async () => {
    const dir = tempDir("install");
    const venv = await makeVenv(join(dir, "venv"), { home: tempDir("venv-home"), withPip: true });
    const sitePackages = () => readdirSync(join(venv.dir, "lib")).flatMap((python) => readdirSync(join(venv.dir, "lib", python, "site-packages")));
    const before = new Set(sitePackages());
    const activated = { PATH: `${join(venv.dir, "bin")}:${process.env.PATH ?? "/usr/bin:/bin"}`, VIRTUAL_ENV: venv.dir };
    const run = await pipcanary(["install", "-r", demoRequirements("safe"), "-i", index.simpleUrl, "--format", "json"], activated, dir);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { installed: Array<{ artifacts: Array<{ filename: string; sha256: string }> }> };
    const scanned = report.installed.flatMap((dist) => dist.artifacts);
    expect(scanned.map((artifact) => artifact.filename).sort()).toEqual(["canary_demo_safe-1.0.0-py3-none-any.whl", "canary_demo_utils-0.3.1.tar.gz"]);
    // pip took them from the scan's own folders (no index), checking hashes: the downloaded wheel,
    // and for the sdist the wheel built from it in the sandbox, so its build code never ran here.
    expect(run.stderr).toMatch(/Processing .*\/temporary\/tmp[a-z0-9_]{8}\/work\/artifacts\/canary_demo_safe-1\.0\.0-py3-none-any\.whl/);
    expect(run.stderr).toMatch(/Processing .*\/temporary\/tmp[a-z0-9_]{8}\/work\/built-wheels\/canary_demo_utils-0\.3\.1-[^ ]*\.whl/);
    expect(run.stderr).not.toContain("canary_demo_utils-0.3.1.tar.gz");
    const added = sitePackages().filter((entry) => !before.has(entry)).sort();
    expect(added).toEqual(["canary_demo_safe", "canary_demo_safe-1.0.0.dist-info", "canary_demo_utils", "canary_demo_utils-0.3.1.dist-info"]);
    const greet = await runIsolated([venv.python, "-c", "import canary_demo_safe; print(canary_demo_safe.greet('  demo user '))"], { home: tempDir("greet-home") });
    expect(greet.stdout.trim()).toBe("Hello, Demo User!");
  }, SCAN_TIMEOUT_MS);
});

describe("stopped before anything of the package runs", () => {
  test("--only-binary :all: refuses the safe project's sdist before any build, with the fix in the hint", async () => {
    const run = await scanDemo("safe", ["--only-binary", ":all:"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("No matching distribution found for canary-demo-utils");
    expect(run.stderr).toContain("pipcanary: hint: --only-binary :all: refuses source distributions");
    expect(run.stderr).not.toContain("into a fresh venv in the sandbox");
  }, SCAN_TIMEOUT_MS);

  test("a homoglyph requirement exits 5 before pip runs, naming the character", async () => {
    const dir = tempDir("homoglyph");
    const requirements = join(dir, "requirements.txt");
    writeFileSync(requirements, "r\u0435quests==2.31.0\n");
    const requestsBefore = index.requests.length;
    const run = await pipcanary(["-r", requirements, "-i", index.simpleUrl], {}, dir);
    expect(run.stdout).toStartWith("Found suspicious name r\u0435quests");
    expect(run.stdout).toContain("U+0435 CYRILLIC SMALL LETTER IE");
    expect(run.stdout).toContain('It imitates "requests"');
    expect(run.stderr).not.toContain("Downloading");
    expect(index.requests.length).toBe(requestsBefore);
    expect(run.code).toBe(5);
  }, SCAN_TIMEOUT_MS);

  test("issue 5: a wheel reading ~/.ssh/id_rsa through an obvious path constant is blocked, and the trace shows it was never imported", async () => {
    const dir = tempDir("obvious");
    const requirements = join(dir, "requirements.txt");
    writeFileSync(requirements, "canary-obvious-stealer==1.0.0\n");
    const run = await pipcanary(["-r", requirements, "-i", index.simpleUrl, "-t", join(dir, "trace.txt")], {}, dir);
    expect(run.stdout).toStartWith("Found suspicious code in canary_obvious_stealer/__init__.py:3 in package canary-obvious-stealer.\n");
    expect(run.stdout).toContain("Phase: static");
    expect(run.stdout).toContain("Rule: static.credentials.read");
    expect(run.code).toBe(5);

    const trace = readFileSync(join(dir, "trace.txt"), "utf8");
    const sections = trace.split("\n").filter((line) => line.startsWith("# pipcanary: "));
    expect(sections).toEqual(["# pipcanary: phase fetch"]);
    // pip downloaded the wheel in the fetch phase, so the trace is real; no file syscall touched
    // the package's module or the key (the wheel's bytes in pip's reads and writes may name them).
    expect(trace).toContain("artifacts/canary_obvious_stealer-1.0.0-py3-none-any.whl");
    const fileCalls = trace.split("\n").filter((line) => !DATA_SYSCALL.test(line));
    expect(fileCalls.filter((line) => line.includes("canary_obvious_stealer/"))).toEqual([]);
    expect(fileCalls.filter((line) => line.includes(".ssh/id_rsa"))).toEqual([]);
    expect(fileCalls.filter((line) => line.includes("/work/venv/"))).toEqual([]);
  }, SCAN_TIMEOUT_MS);
});
