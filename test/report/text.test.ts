import { describe, expect, test } from "bun:test";
import { reportJson } from "../../src/report/json.ts";
import { buildReportModel } from "../../src/report/model.ts";
import { sshFinding } from "./finding-fixture.ts";
import { formatScanReport, SAFE_MESSAGE } from "../../src/report/text.ts";

describe("the report", () => {
  const finding = sshFinding({ subject: { kind: "access", path: "/home/sebastian/.ssh" } });

  test("uses the seed's wording for a blocking finding", () => {
    expect(formatScanReport([finding])).toStartWith(
      [
        "Found suspicious access to /home/sebastian/.ssh in package evilpack.",
        "",
        "Description: SSH private key exfiltration.",
        "Explanation: The package might be trying to steal your Secure Shell private keys.",
        "",
        "This could be dangerous!!!",
        "Don't install this package under any circumstances until you know for sure that this is a false positive!",
        "In doubt, contact the package maintainers!",
        "",
        "Note that PipCanary immediately kills the scanning process once it detects suspicious behavior to prevent damage!",
        "",
        "Phase: import",
        "System call: openat",
        "Process: python -c import evilpack",
      ].join("\n"),
    );
  });

  test("the same shape for connections and executions; the all-clear without findings", () => {
    const connection = { ...finding, subject: { kind: "connection" as const, address: "127.0.0.9", port: 4444 } };
    const execution = { ...finding, subject: { kind: "execution" as const, argv: ["curl", "-s", "http://127.0.0.9:4444/x"] } };
    expect(formatScanReport([connection])).toStartWith("Found suspicious connection to 127.0.0.9:4444 in package evilpack.\n");
    expect(formatScanReport([execution])).toStartWith("Found suspicious execution of curl -s http://127.0.0.9:4444/x in package evilpack.\n");
    expect(formatScanReport([])).toBe(SAFE_MESSAGE);
    expect(reportJson(buildReportModel({ command: "scan", version: "0.0.0", exitCode: 5, cwd: "/", findings: [connection] }))).toMatchObject({ verdict: "malicious", findings: [{ ruleId: "ssh", message: "Found suspicious connection to 127.0.0.9:4444 in package evilpack." }] });
  });
});
