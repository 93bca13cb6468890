import { describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { basename, join } from "node:path";
import type { AuditReport, PackageAudit } from "../../src/audit/report.ts";
import type { Finding } from "../../src/core/finding.ts";
import { formatReportJson } from "../../src/report/json.ts";
import { formatReportText } from "../../src/report/report-text.ts";
import { buildFailureModel, buildReportModel, markerSkipped, type ReportInput } from "../../src/report/model.ts";
import type { TargetEnvironment } from "../../src/core/requirements.ts";
import { parseRequirement } from "../../src/inputs/requirement.ts";
import { MAX_SARIF_RESULTS, renderSarif } from "../../src/report/sarif.ts";
import { subjectText } from "../../src/report/text.ts";
import { ScanFailedError } from "../../src/core/errors.ts";
import { pin } from "../audit/seed-fixtures.ts";
import { useTempDirs } from "../harness/temp.ts";
import { sshFinding } from "./finding-fixture.ts";
import { reportProblems, sarifProblems } from "./schemas.ts";

const CWD = "/work/project";
const SHA = "ab".repeat(32);

const finding = sshFinding;
const tempDir = useTempDirs("pipcanary-report");

function audited(name: string, version: string, overrides: Partial<PackageAudit>): PackageAudit {
  return { name, normalizedName: name, version, vulnerabilities: [], ignored: [], malware: [], allowedMalware: [], requiredBy: undefined, uploadTime: undefined, tooRecent: undefined, missing: [], files: [], ...overrides };
}

/** requirements.txt with evilpack on line 1 and flask on line 2; dep is pulled in by flask. */
const REQUIREMENTS = [pin("evilpack", "1.0", 1, `${CWD}/requirements.txt`), pin("flask", "3.1.2", 2, `${CWD}/requirements.txt`)];

function model(input: Partial<ReportInput>) {
  return buildReportModel({ command: "scan", version: "0.1.0", exitCode: 5, cwd: CWD, requirements: REQUIREMENTS, ...input });
}

const AUDIT: AuditReport = {
  warnings: [],
  packages: [
    audited("flask", "3.1.2", { vulnerabilities: [{ id: "GHSA-68rp-wp8r-4726", aliases: ["CVE-2025-1"], fixedIn: ["3.1.3"], summary: "Session signing" }] }),
    audited("dep", "2.0", { tooRecent: { uploadTime: new Date("2026-11-28T10:00:00Z"), suggestion: undefined, suggestionGap: undefined }, files: [{ filename: "dep-2.0-py3-none-any.whl", url: undefined, version: "2.0", uploadTime: undefined, yanked: false, requiresPython: undefined, sha256: SHA, size: 1 }] }),
  ],
};

describe("SARIF report", () => {
  test("every kind of finding is a result at the input line that brought its package in, valid for the schema and GitHub", () => {
    const { source: _source, subject: _subject, syscall: _syscall, argv: _argv, ...base } = finding({});
    const findings: Finding[] = [
      finding({}),
      { ...base, source: "static", ruleId: "static.pth.code", phase: "static", subject: { kind: "code", file: "evilpack.pth", line: 1, snippet: "import os" }, artifactSha256: SHA },
      { ...base, source: "name", ruleId: "static.name.typosquat", severity: "warn", phase: "fetch", subject: { kind: "name", name: "evilpack", detail: "one edit from evilpak" } },
      { ...base, source: "egress", ruleId: "egress-refused", package: undefined, phase: "fetch", subject: { kind: "connection", address: "127.0.0.9", port: 4444 }, argv: undefined },
      { ...base, source: "audit", ruleId: "known-malware", package: "dep", subject: { kind: "known-malware", id: "MAL-2026-1", version: "2.0", summary: undefined, source: "osv", chain: [`${CWD}/requirements.txt:2 flask==3.1.2`, "dep 2.0"], checked: "now" } },
    ];
    const log = renderSarif(model({ findings, audit: AUDIT, exitCode: 5 }));
    expect(sarifProblems(log)).toEqual([]);
    const [run] = log.runs;
    expect(run?.results.map((result) => [result.ruleId, result.properties.kind, result.locations[0]?.physicalLocation.artifactLocation.uri, result.locations[0]?.physicalLocation.region.startLine])).toEqual([
      ["ssh", "behavioural", "requirements.txt", 1],
      ["static.pth.code", "static", "requirements.txt", 1],
      ["static.name.typosquat", "name", "requirements.txt", 1],
      ["egress-refused", "egress", "requirements.txt", 1],
      ["known-malware", "known-malware", "requirements.txt", 2],
      ["GHSA-68rp-wp8r-4726", "vulnerability", "requirements.txt", 2],
      ["cool-down", "too-recent", "requirements.txt", 1],
    ]);
    const recent = run?.results.find((result) => result.ruleId === "cool-down");
    expect(recent?.message.text).toContain("which direct requirement pulled it in is unknown");
    expect(recent?.properties.sha256).toEqual([SHA]);
    expect(run?.results.find((result) => result.ruleId === "known-malware")?.message.text).toContain("flask==3.1.2 -> dep 2.0");
    expect(run?.results.find((result) => result.ruleId === "static.pth.code")?.properties.sha256).toEqual([SHA]);
    expect(run?.results.map((result) => result.level)).toEqual(["error", "error", "warning", "error", "error", "error", "error"]);
    for (const rule of run?.tool.driver.rules ?? []) expect(rule.help.text.length).toBeGreaterThan(20);
    expect(run?.tool.driver.rules.find((rule) => rule.id === "known-malware")?.properties["security-severity"]).toBe("10.0");
    expect(run?.invocations[0]).toMatchObject({ executionSuccessful: true, exitCode: 5 });
  });

  test("a transitive package is located at its direct requirement when the dependency map names it", () => {
    const dependencies = new Map([["flask", ["dep"]]]);
    const [run] = renderSarif(model({ audit: AUDIT, exitCode: 4, dependencies })).runs;
    const recent = run?.results.find((result) => result.ruleId === "cool-down");
    expect(recent?.locations[0]?.physicalLocation.region.startLine).toBe(2);
    expect(recent?.message.text).toContain("requirements.txt:2 flask==3.1.2 -> dep 2.0.");
  });

  test("inside a git work tree, URIs are relative to its top, wherever pipcanary ran", () => {
    const repo = tempDir("repo");
    mkdirSync(join(repo, ".git"));
    mkdirSync(join(repo, "service", "app"), { recursive: true });
    const requirements = [pin("evilpack", "1.0", 3, join(repo, "service", "requirements dev.txt"))];
    const log = renderSarif(buildReportModel({ command: "scan", version: "0.1.0", exitCode: 5, cwd: join(repo, "service", "app"), requirements, findings: [finding({})] }));
    expect(sarifProblems(log)).toEqual([]);
    const [run] = log.runs;
    expect(run?.results[0]?.locations[0]?.physicalLocation).toEqual({ artifactLocation: { uri: "service/requirements%20dev.txt", uriBaseId: "%SRCROOT%" }, region: { startLine: 3 } });
    expect(run?.originalUriBaseIds["%SRCROOT%"]?.uri).toBe(`file://${repo}/`);
    // People read paths from where they ran pipcanary.
    expect(buildReportModel({ command: "scan", version: "0.1.0", exitCode: 5, cwd: join(repo, "service", "app"), requirements, findings: [finding({})] }).findings[0]?.location?.file).toBe("../requirements dev.txt");
  });

  test("outside a git work tree, URIs are relative to the working directory, named by originalUriBaseIds", () => {
    const cwd = tempDir("plain");
    const elsewhere = tempDir("elsewhere");
    const requirements = [pin("evilpack", "1.0", 1, join(cwd, "requirements.txt")), pin("other", "2.0", 1, join(elsewhere, "more.txt"))];
    const log = renderSarif(buildReportModel({ command: "scan", version: "0.1.0", exitCode: 5, cwd, requirements, findings: [finding({}), finding({ package: "other" })] }));
    expect(sarifProblems(log)).toEqual([]);
    const [run] = log.runs;
    expect(run?.originalUriBaseIds["%SRCROOT%"]?.uri).toBe(`file://${cwd}/`);
    expect(run?.results.map((result) => result.locations[0]?.physicalLocation.artifactLocation)).toEqual([
      { uri: "requirements.txt", uriBaseId: "%SRCROOT%" },
      { uri: `../${basename(elsewhere)}/more.txt`, uriBaseId: "%SRCROOT%" },
    ]);
  });

  test("fingerprints hash rule, package and subject, not the run's temp paths", () => {
    const at = (path: string) => renderSarif(model({ findings: [finding({ subject: { kind: "access", path } })] })).runs[0]?.results[0]?.partialFingerprints;
    expect(at("/tmp/tmpq3k8w0_z/work/x")).toEqual(at("/tmp/tmpzzzzzzzz/work/x") ?? {});
    expect(at("/root/.ssh/id_rsa")).not.toEqual(at("/root/.ssh/id_ed25519") ?? {});
  });

  test("a failed run says why in the invocation, and still validates", () => {
    const log = renderSarif(buildFailureModel("scan", "0.1.0", CWD, new ScanFailedError("pip failed", "see the log")));
    expect(sarifProblems(log)).toEqual([]);
    expect(log.runs[0]?.invocations[0]).toMatchObject({ executionSuccessful: false, exitCode: 2, toolExecutionNotifications: [{ level: "error", message: { text: "pip failed (see the log)" } }] });
    expect(log.runs[0]?.results).toEqual([]);
  });

  test("more results than code scanning takes are cut, and the cut is said", () => {
    const findings = Array.from({ length: MAX_SARIF_RESULTS + 2 }, (_, index) => finding({ severity: "warn", subject: { kind: "access", path: `/f${index}` } }));
    const [run] = renderSarif(model({ findings, exitCode: 0 })).runs;
    expect(run?.results.length).toBe(MAX_SARIF_RESULTS);
    expect(run?.invocations[0]?.toolExecutionNotifications[0]?.message.text).toContain("2 more results were left out");
  });

  test("subject text names each kind", () => {
    expect(subjectText({ kind: "execution", argv: ["sh", "-c", "curl x"] })).toBe("execution of sh -c curl x");
    expect(subjectText({ kind: "connection", address: "::1", port: 443 })).toBe("connection to [::1]:443");
  });
});

describe("JSON report", () => {
  test("scan, audit and a failure share one shape that validates; verdict follows the exit code", () => {
    const documents = [
      model({ findings: [finding({})], exitCode: 5, audit: AUDIT }),
      model({ audit: AUDIT, exitCode: 4 }),
      buildReportModel({ command: "audit", version: "0.1.0", exitCode: 0, cwd: CWD, audit: { warnings: [], packages: [] } }),
      buildFailureModel("audit", "0.1.0", CWD, new Error("boom")),
    ].map((entry) => JSON.parse(formatReportJson(entry)) as { schemaVersion: string; verdict: string; exitCode: number; audit: unknown });
    for (const document of documents) expect(reportProblems(document)).toEqual([]);
    expect(documents.map((document) => [document.verdict, document.exitCode])).toEqual([
      ["malicious", 5],
      ["audit-findings", 4],
      ["safe", 0],
      ["scan-failed", 2],
    ]);
    expect(documents[0]?.audit).not.toBeNull();
  });

  test("the schema refuses a verdict that contradicts the exit code", () => {
    const document = JSON.parse(formatReportJson(model({ audit: AUDIT, exitCode: 4 }))) as Record<string, unknown>;
    expect(reportProblems({ ...document, verdict: "safe" })).not.toEqual([]);
  });
});

describe("text report", () => {
  test("a stopped scan with an audit of what was resolved prints the finding, then the audit", () => {
    const text = formatReportText(model({ findings: [finding({})], audit: AUDIT, exitCode: 5 }));
    expect(text).toStartWith("Found suspicious access to /root/.ssh/id_rsa in package evilpack.\n");
    expect(text).toContain("\n\nAuditing 2 packages...\n");
    expect(text).toContain("Package flask:3.1.2 has known vulnerabilities: GHSA-68rp-wp8r-4726 (fixed in 3.1.3).");
  });

  test("-q: only the verdict line", () => {
    expect(formatReportText(model({ findings: [finding({})], exitCode: 5 }), { quiet: true })).toBe(
      "Found suspicious access to /root/.ssh/id_rsa in package evilpack. Blocking findings in: evilpack (exit 5).\n",
    );
    expect(formatReportText(model({ exitCode: 0 }), { quiet: true })).toBe("All packages appear to be safe!\n");
  });
});

describe("requirements excluded by environment markers", () => {
  const LINUX_311: TargetEnvironment = {
    implementation_name: "cpython",
    implementation_version: "3.11.7",
    os_name: "posix",
    platform_machine: "x86_64",
    platform_release: "6.1.0",
    platform_system: "Linux",
    platform_version: "#1",
    python_full_version: "3.11.7",
    platform_python_implementation: "CPython",
    python_version: "3.11",
    sys_platform: "linux",
  };
  const requirements = [
    parseRequirement("pywin32==306; sys_platform == 'win32'", { file: `${CWD}/requirements.txt`, line: 3 }),
    parseRequirement("tomli==2.0.1; python_version < '3.11'", { file: `${CWD}/requirements.txt`, line: 4 }),
    parseRequirement("rich==13.0; python_version >= '3.8'", { file: `${CWD}/requirements.txt`, line: 5 }),
    parseRequirement("colorama==0.4.6; sys_platform == 'win32'", { file: `${CWD}/constraints.txt`, line: 1 }, { constraint: true }),
  ];
  const skipped = markerSkipped(requirements, LINUX_311);
  const safe = buildReportModel({ command: "scan", version: "0.1.0", exitCode: 0, cwd: CWD, requirements, skipped });

  test("each selecting requirement whose marker does not hold is skipped with cause marker and its marker text", () => {
    expect(skipped.map((entry) => [entry.name, entry.cause, entry.cause === "marker" ? entry.marker : undefined])).toEqual([
      ["pywin32", "marker", 'sys_platform == "win32"'],
      ["tomli", "marker", 'python_version < "3.11"'],
    ]);
    expect(markerSkipped(requirements, undefined)).toEqual([]);
  });

  test("text, JSON and SARIF list them", () => {
    expect(formatReportText(safe)).toContain(`Not scanned: tomli (${CWD}/requirements.txt:4: its marker 'python_version < "3.11"' does not hold for the target interpreter (Python 3.11.7, linux)).`);
    const json = JSON.parse(formatReportJson(safe)) as { skipped: unknown[] };
    expect(reportProblems(json)).toEqual([]);
    expect(json.skipped[0]).toEqual({ name: "pywin32", cause: "marker", marker: 'sys_platform == "win32"', reason: `${CWD}/requirements.txt:3: its marker 'sys_platform == "win32"' does not hold for the target interpreter (Python 3.11.7, linux)` });
    const log = renderSarif(safe);
    expect(sarifProblems(log)).toEqual([]);
    expect(log.runs[0]?.invocations[0]?.toolConfigurationNotifications.map((notification) => notification.message.text)).toContain(
      `Not scanned: pywin32 (${CWD}/requirements.txt:3: its marker 'sys_platform == "win32"' does not hold for the target interpreter (Python 3.11.7, linux)).`,
    );
  });

  test("the schema wants the marker text with cause marker, and only then", () => {
    const json = JSON.parse(formatReportJson(safe)) as Record<string, unknown>;
    expect(reportProblems({ ...json, skipped: [{ name: "tomli", cause: "marker", reason: "r" }] })).not.toEqual([]);
    expect(reportProblems({ ...json, skipped: [{ name: "tomli", cause: "do-not-scan", marker: "m", reason: "r" }] })).not.toEqual([]);
  });
});
