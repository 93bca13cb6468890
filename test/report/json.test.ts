import { describe, expect, test } from "bun:test";
import type { EgressFinding, StaticFinding } from "../../src/core/finding.ts";
import { scanReportJson } from "../../src/report/json.ts";

const common = { severity: "block", description: "d", explanation: "e", package: "evilpack" } as const;

describe("--format json", () => {
  test("every kind of finding has the same flat fields, and no discriminant", () => {
    const egress: EgressFinding = { ...common, source: "egress", ruleId: "egress-refused", phase: "fetch", subject: { kind: "connection", address: "127.0.0.9", port: 443 }, argv: ["python", "setup.py"] };
    const staticFinding: StaticFinding = { ...common, source: "static", ruleId: "s", phase: "static", subject: { kind: "archive", file: "a.tar.gz", detail: "x" }, artifactSha256: "ab" };
    const text = JSON.stringify(scanReportJson([egress, staticFinding]).findings);
    expect(text).toBe(
      JSON.stringify([
        { ruleId: "egress-refused", severity: "block", description: "d", explanation: "e", package: "evilpack", phase: "fetch", subject: egress.subject, syscall: "connect", argv: ["python", "setup.py"], message: "Found suspicious connection to 127.0.0.9:443 in package evilpack." },
        { ruleId: "s", severity: "block", description: "d", explanation: "e", package: "evilpack", phase: "static", subject: staticFinding.subject, artifactSha256: "ab", message: "Found suspicious archive member a.tar.gz (x) in package evilpack." },
      ]),
    );
  });
});
