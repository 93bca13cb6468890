import { describe, expect, test } from "bun:test";
import { type Exemptions, exemptionLines } from "../../src/report/exemptions.ts";
import type { Finding } from "../../src/core/finding.ts";
import { reportJson } from "../../src/report/json.ts";
import { buildReportModel } from "../../src/report/model.ts";
import { renderSarif } from "../../src/report/sarif.ts";
import { SAFE_MESSAGE, closingLine, formatScanReport } from "../../src/report/text.ts";

const NONE: Exemptions = {
  notImported: [],
  ignoredVulnerabilities: [],
  ignoredInThisRun: [],
  allowlisted: [],
  acceptedUploads: [],
  acceptedNames: [],
  coolDownDays: undefined,
  defaultCoolDownDays: 7,
  sources: [],
};

const EVERYTHING: Exemptions = {
  notImported: ["gui-app", "other"],
  ignoredVulnerabilities: ["GHSA-1", "PYSEC-2"],
  ignoredInThisRun: [{ package: "Flask", version: "3.1.2", ids: ["GHSA-1"] }],
  allowlisted: ["keyring-plus"],
  acceptedUploads: ["MarkupSafe<=2025-09-27T18:37:40.000Z"],
  acceptedNames: ["reqeusts"],
  coolDownDays: 1.5,
  defaultCoolDownDays: 7,
  sources: [
    { kind: "index-url", url: "https://mirror.example/simple", from: "the command line or environment" },
    { kind: "find-links", url: "./wheels", from: "a requirements file" },
  ],
};

function finding(severity: Finding["severity"], name: string): Finding {
  return {
    source: "name",
    ruleId: "static.name.typosquat",
    severity,
    description: "Package name close to a popular project.",
    explanation: "…",
    package: name,
    phase: "static",
    subject: { kind: "name", name, detail: "a py/python prefix or suffix from \"requests\"" },
  };
}

describe("exemptions in the text report", () => {
  test("nothing narrowed: no line at all", () => {
    expect(exemptionLines(NONE)).toEqual([]);
  });

  test("one line per kind, naming the option", () => {
    expect(exemptionLines(EVERYTHING)).toEqual([
      "Not imported in the sandbox (--do-not-scan): gui-app, other.",
      "Ignored vulnerabilities (--ignore-vuln): GHSA-1, PYSEC-2; left out in this run: GHSA-1 in Flask 3.1.2.",
      "Static findings lowered one level (--allowlist): keyring-plus.",
      "Recent uploads accepted (--allow-upload-time): MarkupSafe<=2025-09-27T18:37:40.000Z.",
      "Look-alike package names accepted (--allow-name): reqeusts.",
      "Cool-down shortened to 1.5 days (default 7 days).",
      "Package source other than PyPI (index-url, from the command line or environment): https://mirror.example/simple.",
      "Package source other than PyPI (find-links, from a requirements file): ./wheels.",
    ]);
    expect(exemptionLines({ ...NONE, coolDownDays: 0 })).toEqual(["Cool-down check off (--cool-down-phase-days 0)."]);
  });

  test("printed before the closing line, and after a blocking finding's details", () => {
    const notes = exemptionLines({ ...NONE, notImported: ["gui-app"] });
    expect(formatScanReport([], notes)).toBe(`Not imported in the sandbox (--do-not-scan): gui-app.\n${SAFE_MESSAGE}`);
    const blocked = formatScanReport([finding("block", "reqeusts")], notes);
    expect(blocked).toStartWith("Found suspicious name reqeusts");
    expect(blocked).toEndWith("Rule: static.name.typosquat\n\nNot imported in the sandbox (--do-not-scan): gui-app.");
  });
});

describe("the closing line", () => {
  test("the seed's all-clear only without warnings; notes do not count", () => {
    expect(closingLine([])).toBe(SAFE_MESSAGE);
    expect(closingLine([finding("info", "a")])).toBe(SAFE_MESSAGE);
  });

  test("after warnings, how many need a look", () => {
    expect(closingLine([finding("warn", "a")])).toBe("No blocking findings, but 1 warning needs a look.");
    expect(closingLine([finding("warn", "a"), finding("warn", "b"), finding("info", "c")])).toBe("No blocking findings, but 2 warnings need a look.");
    expect(formatScanReport([finding("warn", "a")])).not.toContain(SAFE_MESSAGE);
  });
});

describe("exemptions in JSON and SARIF", () => {
  const model = buildReportModel({ command: "scan", version: "0.0.0", exitCode: 0, cwd: "/", exemptions: EVERYTHING });

  test("JSON carries the whole record", () => {
    expect(reportJson(model).exemptions).toEqual(EVERYTHING);
  });

  test("SARIF: configuration notifications with the text lines, and the record in the run's properties", () => {
    const [run] = renderSarif(model).runs;
    expect(run?.invocations?.[0]?.toolConfigurationNotifications.map((notification) => notification.message.text)).toEqual(exemptionLines(EVERYTHING));
    expect(run?.properties?.exemptions).toEqual(EVERYTHING);
  });
});
