import type { JsonReport } from "../../src/report/json.ts";
import { reportProblems } from "../report/schemas.ts";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { zipSync } from "fflate";
import { stringify as toYaml } from "yaml";
import { runAuditCommand, type AuditCommandOptions } from "../../src/cli/audit-command.ts";
import { auditDistributions, auditReportJson, renderAuditText } from "../../src/audit/index.ts";
import type { OsvRecord } from "../../src/audit/osv.ts";
import { parseAllowUploadTime } from "../../src/cli/values.ts";
import { IndexUnreachableError, InputError } from "../../src/core/errors.ts";
import { ExitCode } from "../../src/core/exit-codes.ts";
import { startIndexServer } from "../harness/index-server.ts";
import { useTempDirs } from "../harness/temp.ts";
import type { IndexServer } from "../harness/types.ts";
import { wheelRelease } from "../index/fixture-data.ts";
import { startFakeOsv, type FakeOsv } from "./fake-osv.ts";
import {
  pin,
  pins,
  RECENT_PINS,
  RECENT_SET,
  SEED_000_RECENT,
  SEED_000_VULNERABILITIES,
  SEED_MAX_UPLOAD_TIME,
  SEED_NOW,
  SEED_PYTHON,
  VULNERABLE_PINS,
  VULNERABLE_SET,
} from "./seed-fixtures.ts";

const tempDir = useTempDirs("pipcanary-audit");
let vulnerableIndex: IndexServer;
let recentIndex: IndexServer;

beforeAll(async () => {
  vulnerableIndex = await startIndexServer(VULNERABLE_SET);
  recentIndex = await startIndexServer([
    ...RECENT_SET,
    { name: "no-times", releases: [wheelRelease("no-times", "1.0", undefined)] },
    { name: "lonely", releases: [wheelRelease("lonely", "1.0", "2026-04-01T00:00:00Z")] },
  ]);
});
afterAll(async () => {
  await vulnerableIndex.stop();
  await recentIndex.stop();
});
afterEach(() => {
  for (const server of [vulnerableIndex, recentIndex]) {
    server.clearFailures();
    server.requests.length = 0;
  }
});

/** Runs `pipcanary audit` and returns its output and exit code. */
async function audit(options: Partial<AuditCommandOptions> & { index: IndexServer }): Promise<{ text: string; code: number }> {
  let text = "";
  const code = await runAuditCommand({
    indexUrl: options.index.simpleUrl,
    osvUrl: options.index.url,
    cacheDir: tempDir(),
    env: {},
    retries: 1,
    retryBaseDelayMs: 10,
    now: () => SEED_NOW,
    pythonVersion: SEED_PYTHON,
    write: (chunk) => void (text += chunk),
    ...options,
  });
  return { text, code };
}

const recentOptions = { maxUploadTime: SEED_MAX_UPLOAD_TIME } as const;

describe("seed outputs from fixture data", () => {
  test("known vulnerabilities (seed 000): exact text, exit 4", async () => {
    const { text, code } = await audit({ index: vulnerableIndex, requirements: pins(VULNERABLE_PINS) });
    expect(text).toBe(SEED_000_VULNERABILITIES);
    expect(code).toBe(ExitCode.AuditFindings);
  });

  test("recently uploaded packages (seed 000): exact text, exit 4", async () => {
    const { text, code } = await audit({ index: recentIndex, requirements: pins(RECENT_PINS), ...recentOptions });
    expect(text).toBe(SEED_000_RECENT);
    expect(code).toBe(ExitCode.AuditFindings);
  });

  test("every package is fetched with one request when nothing is too recent", async () => {
    await audit({ index: vulnerableIndex, requirements: pins(VULNERABLE_PINS) });
    // The fixture index also serves the OSV API the known-malware check asks (/v1/…).
    expect(vulnerableIndex.requests.map((request) => request.path).filter((path) => !path.startsWith("/v1/")).sort()).toEqual(
      VULNERABLE_PINS.map(([name, version]) => `/pypi/${name.toLowerCase()}/${version}/json`).sort(),
    );
  });

  test("the suggested --allow-upload-time arguments make the audit pass", async () => {
    const allowUploadTimes = [parseAllowUploadTime("MarkupSafe<=2025-09-27T18:37:40"), parseAllowUploadTime("Werkzeug<=2026-04-02T18:49:14")];
    const { text, code } = await audit({ index: recentIndex, requirements: pins(RECENT_PINS), ...recentOptions, allowUploadTimes });
    expect(text).toBe("Auditing 3 packages...\nNo known vulnerabilities and no recent uploads found.\n");
    expect(code).toBe(ExitCode.Safe);
  });

  test("the JSON form carries the same findings, each at its requirement's line, and validates against the report schema", async () => {
    const { text, code } = await audit({ index: recentIndex, requirements: pins(RECENT_PINS), ...recentOptions, format: "json" });
    const report = JSON.parse(text) as JsonReport;
    expect(reportProblems(report)).toEqual([]);
    expect(report).toMatchObject({ command: "audit", verdict: "audit-findings", exitCode: 4 });
    expect(report.findings.map((finding) => [finding.kind, finding.package, finding.location?.line])).toEqual([
      ["too-recent", "markupsafe", 1],
      ["too-recent", "werkzeug", 2],
    ]);
    const json = report.audit as ReturnType<typeof auditReportJson>;
    expect(code).toBe(4);
    expect(json.summary).toEqual({ malware: [], vulnerable: [], tooRecent: ["MarkupSafe", "Werkzeug"], incomplete: [], exitCode: 4 });
    const werkzeug = json.packages.find((pkg) => pkg.name === "Werkzeug");
    expect(werkzeug?.tooRecent?.uploadTime).toBe("2026-04-02T18:49:14.870Z");
    expect(werkzeug?.tooRecent?.suggestion?.version).toBe("2.3.6");
    expect(werkzeug?.tooRecent?.suggestion?.vulnerabilities).toHaveLength(8);
  });
});

describe("vulnerability options", () => {
  test("--ignore-vuln matches ids and aliases case-insensitively", async () => {
    const { text } = await audit({
      index: vulnerableIndex,
      requirements: pins(VULNERABLE_PINS),
      ignoreVulns: ["cve-2026-27205", "ghsa-PQ64-v7f5-gqh8", "PYSEC-2021-141"],
    });
    expect(text).toContain("Package Pygments:1.1 has known vulnerabilities: PYSEC-2023-117 (fixed in 2.15.1), GHSA-mrwq-x4v8-fh7p");
    expect(text).not.toContain("Flask");
    expect(text).toContain("were found: Pygments:1.1.");
  });

  test("a withdrawn vulnerability is not reported", async () => {
    const { text } = await audit({ index: vulnerableIndex, requirements: [pin("Pygments", "1.1")] });
    expect(text).not.toContain("withdrawn");
  });
});

/** OSV records equivalent to the fixture's PyPI data for Flask and Pygments. */
function osvRecords(): OsvRecord[] {
  const range = (fixed: string) => [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed }] }];
  const pkg = (name: string, fixed: string) => [{ package: { ecosystem: "PyPI", name }, ranges: range(fixed) }];
  const modified = "2025-06-01T00:00:00Z";
  return [
    { id: "GHSA-68rp-wp8r-4726", aliases: ["CVE-2026-27205"], published: "2026-02-20T00:00:00Z", modified, affected: pkg("flask", "3.1.3") },
    { id: "PYSEC-2021-141", aliases: ["CVE-2021-27291"], published: "2021-03-17T13:15:00Z", modified, affected: pkg("pygments", "2.7.4") },
    { id: "GHSA-pq64-v7f5-gqh8", aliases: ["CVE-2021-27291"], published: "2021-03-29T16:35:57Z", modified, affected: pkg("Pygments", "2.7.4") },
    { id: "PYSEC-2023-117", aliases: ["CVE-2022-40896"], published: "2023-07-19T22:15:00Z", modified, affected: pkg("pygments", "2.15.1") },
    { id: "GHSA-mrwq-x4v8-fh7p", aliases: ["CVE-2022-40896"], published: "2023-07-20T14:00:00Z", modified, affected: pkg("pygments", "2.15.0") },
    { id: "GHSA-5239-wwwm-4pmq", aliases: ["CVE-2025-1476"], published: "2025-03-06T00:00:00Z", modified, affected: pkg("pygments", "2.20.0") },
    { id: "GHSA-old-withdrawn", withdrawn: "2024-01-01T00:00:00Z", published: "2023-01-01T00:00:00Z", modified, affected: pkg("flask", "99") },
  ];
}

describe("--vuln-service osv", () => {
  let osv: FakeOsv;
  beforeAll(() => {
    const ids = osvRecords().map((record) => record.id);
    osv = startFakeOsv({
      records: osvRecords(),
      affected: { "Flask==3.1.2": [ids[0] ?? "", ids[6] ?? ""], "pygments==1.1": ids.slice(1, 6) },
      pageSize: 2,
    });
  });
  afterAll(async () => {
    await osv.stop();
  });

  test("querybatch (paged) plus vulns/{id} give the seed's output", async () => {
    const cacheDir = tempDir();
    const { text, code } = await audit({ index: vulnerableIndex, requirements: pins(VULNERABLE_PINS), vulnService: "osv", osvUrl: osv.url, cacheDir });
    expect(text).toBe(SEED_000_VULNERABILITIES);
    expect(code).toBe(4);
    // Three pages for the vulnerabilities, one query (without versions) for known malware.
    expect(osv.requests.filter((request) => request === "POST /v1/querybatch")).toHaveLength(4);
    expect(osv.requests.filter((request) => request.startsWith("GET /v1/vulns/")).sort()).toEqual(
      osvRecords().map((record) => `GET /v1/vulns/${record.id}`).sort(),
    );
    osv.requests.length = 0;
    await audit({ index: vulnerableIndex, requirements: pins(VULNERABLE_PINS), vulnService: "osv", osvUrl: osv.url, cacheDir });
    expect(osv.requests.filter((request) => request.startsWith("GET"))).toEqual([]);
  });

  test("offline, the OSV service cannot be asked: each package is named, exit 3", async () => {
    const { text, code } = await audit({ index: vulnerableIndex, requirements: [pin("Flask", "3.1.2")], vulnService: "osv", osvUrl: osv.url, offline: true, coolDownMs: 0 });
    expect(text).toContain("Package Flask 3.1.2 could not be checked: no vulnerability data (the OSV service needs the network; use --vuln-db for offline data).");
    expect(code).toBe(ExitCode.IndexUnreachable);
  });

  test("an unreachable OSV service is exit 3 naming its URL, with a hint about OSV, not the index", async () => {
    const error = await audit({ index: vulnerableIndex, requirements: [pin("Flask", "3.1.2")], vulnService: "osv", osvUrl: "http://127.0.0.1:9" }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(IndexUnreachableError);
    expect((error as Error).message).toStartWith("cannot reach http://127.0.0.1:9/v1/querybatch: ");
    expect((error as IndexUnreachableError).hint).toContain("--osv-url");
    expect((error as IndexUnreachableError).hint).toContain("--malware-db");
  });
});

describe("--vuln-db", () => {
  function writeDirectory(): string {
    const dir = tempDir("osv-db");
    const records = osvRecords();
    mkdirSync(join(dir, "PyPI", "flask"), { recursive: true });
    records.forEach((record, index) => {
      const path = index % 2 === 0 ? join(dir, "PyPI", `${record.id}.json`) : join(dir, "PyPI", "flask", `${record.id}.yaml`);
      writeFileSync(path, index % 2 === 0 ? JSON.stringify(record) : toYaml(record));
    });
    writeFileSync(join(dir, "README.md"), "not a record");
    return dir;
  }

  test("a directory of JSON and YAML records", async () => {
    const { text, code } = await audit({ index: vulnerableIndex, requirements: pins(VULNERABLE_PINS), vulnDb: writeDirectory() });
    expect(text).toBe(SEED_000_VULNERABILITIES);
    expect(code).toBe(4);
  });

  test("the all.zip export, offline with cool-down off: no request at all", async () => {
    const zipPath = join(tempDir("osv-zip"), "all.zip");
    const encoder = new TextEncoder();
    writeFileSync(zipPath, zipSync(Object.fromEntries(osvRecords().map((record) => [`${record.id}.json`, encoder.encode(JSON.stringify(record))]))));
    const { text, code } = await audit({ index: vulnerableIndex, requirements: pins(VULNERABLE_PINS), vulnDb: zipPath, offline: true, coolDownMs: 0 });
    expect(text).toBe(SEED_000_VULNERABILITIES);
    expect(code).toBe(4);
    expect(vulnerableIndex.requests).toHaveLength(0);
  });

  test("a broken record is an input error naming the file", async () => {
    const dir = writeDirectory();
    writeFileSync(join(dir, "PyPI", "broken.json"), "{");
    const error = await audit({ index: vulnerableIndex, requirements: [pin("Flask", "3.1.2")], vulnDb: dir }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toContain(join(dir, "PyPI", "broken.json"));
  });

  test("a missing path is an input error", async () => {
    const error = await audit({ index: vulnerableIndex, requirements: [pin("Flask", "3.1.2")], vulnDb: "/nonexistent/all.zip" }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputError);
  });
});

describe("offline", () => {
  test("with a warm cache: the same output and no request", async () => {
    const cacheDir = tempDir();
    const online = await audit({ index: recentIndex, requirements: pins(RECENT_PINS), ...recentOptions, cacheDir });
    recentIndex.requests.length = 0;
    const offline = await audit({ index: recentIndex, requirements: pins(RECENT_PINS), ...recentOptions, cacheDir, offline: true });
    expect(offline).toEqual(online);
    expect(recentIndex.requests).toHaveLength(0);
  });

  test("with a cold cache: each package that lacks data is named, exit 3", async () => {
    const { text, code } = await audit({ index: vulnerableIndex, requirements: [pin("Flask", "3.1.2"), pin("click", "8.3.0")], offline: true });
    expect(text).toBe(
      [
        "Auditing 2 packages...",
        "Package click 8.3.0 could not be checked: no metadata (not in the cache and --offline allows no request; run once online to fill the cache).",
        "Package Flask 3.1.2 could not be checked: no metadata (not in the cache and --offline allows no request; run once online to fill the cache).",
        "Summary:",
        "  - The following package(s) could not be checked: click:8.3.0, Flask:3.1.2.",
        "",
      ].join("\n"),
    );
    expect(code).toBe(ExitCode.IndexUnreachable);
    expect(vulnerableIndex.requests).toHaveLength(0);
  });
});

describe("cool-down edge cases", () => {
  test("no upload time on the index: named, not silently passed", async () => {
    const { text, code } = await audit({ index: recentIndex, requirements: [pin("no-times", "1.0")] });
    expect(text).toContain("Package no-times 1.0 could not be checked: no upload time (the index gives none, so the cool-down cannot be checked; --cool-down-phase-days 0 skips the check).");
    expect(code).toBe(ExitCode.IndexUnreachable);
    expect((await audit({ index: recentIndex, requirements: [pin("no-times", "1.0")], coolDownMs: 0 })).code).toBe(ExitCode.Safe);
  });

  test("no suitable older release is said clearly", async () => {
    const { text } = await audit({ index: recentIndex, requirements: [pin("lonely", "1.0")] });
    expect(text).toContain("Package lonely 1.0 was updated too recently: 2026-04-01T00:00:00.\n  - No older release of lonely is suitable: ");
  });

  test("the default cool-down is 7 days", async () => {
    const report = await auditDistributions([{ name: "lonely", version: "1.0" }], [], {
      indexUrl: recentIndex.simpleUrl,
      osvUrl: recentIndex.url,
      noCache: true,
      env: {},
      now: () => new Date("2026-04-08T00:00:01Z"),
    });
    expect(report.packages[0]?.tooRecent).toBeUndefined();
    expect(renderAuditText(report)).toBe("Auditing 1 packages...\nNo known vulnerabilities and no recent uploads found.\n");
  });

  test("each package is told to the progress display once its own answers are in", async () => {
    const told: string[] = [];
    await auditDistributions([{ name: "lonely", version: "1.0" }, { name: "markupsafe", version: "3.0.3" }, { name: "lonely", version: "1.0" }], [], {
      indexUrl: recentIndex.simpleUrl,
      osvUrl: recentIndex.url,
      noCache: true,
      env: {},
      now: () => SEED_NOW,
      onPackage: (name, index, total) => told.push(`${index}/${total} ${name}`),
    });
    expect(told.map((entry) => entry.split(" ")[0]).sort()).toEqual(["0/2", "1/2"]);
    expect(told.map((entry) => entry.split(" ")[1]).sort()).toEqual(["lonely", "markupsafe"]);
  });

  test("the scan's requirements narrow the suggestion", async () => {
    const report = await auditDistributions([{ name: "markupsafe", version: "3.0.3" }], [{ ...pin("MarkupSafe", "0"), specifier: "<2.1.3" }], {
      indexUrl: recentIndex.simpleUrl,
      osvUrl: recentIndex.url,
      noCache: true,
      env: {},
      now: () => SEED_NOW,
      maxUploadTime: SEED_MAX_UPLOAD_TIME,
      pythonVersion: SEED_PYTHON,
    });
    expect(report.packages[0]?.tooRecent?.suggestion?.version).toBe("2.1.2");
  });
});

describe("pipcanary audit input", () => {
  test("input that is not pinned is exit 1, naming each requirement and the fix", async () => {
    const loose = { ...pin("click", "8.3.0", 4), specifier: ">=8" };
    const error = await audit({ index: vulnerableIndex, requirements: [pin("Flask", "3.1.2", 3), loose] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).exitCode).toBe(ExitCode.InvalidInput);
    expect((error as Error).message).toContain("requirements.txt:4: click>=8");
    expect((error as InputError).hint).toContain("pin each one with ==VERSION");
    expect(vulnerableIndex.requests).toHaveLength(0);
  });

  test("an index that keeps failing is exit 3", async () => {
    vulnerableIndex.fail("/pypi/", { kind: "status", status: 500 });
    const error = await audit({ index: vulnerableIndex, requirements: pins(VULNERABLE_PINS) }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(IndexUnreachableError);
    expect((error as IndexUnreachableError).exitCode).toBe(ExitCode.IndexUnreachable);
  });
});
