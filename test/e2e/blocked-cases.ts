import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { homedir } from "node:os";
import type { ScanOptions } from "../../src/pipeline/scan.ts";
import type { Finding, FindingSubject } from "../../src/core/finding.ts";
import { formatScanReport } from "../../src/report/text.ts";
import type { IndexServer } from "../harness/types.ts";
import { useTempDirs } from "../harness/temp.ts";
import { scan, startIndex, waitForNoProcesses } from "./helpers.ts";
import type { MaliciousCase } from "./packages.ts";

const SCAN_TIMEOUT_MS = 120_000;

function subjectText(subject: FindingSubject): string {
  switch (subject.kind) {
    case "access":
      return subject.path;
    case "connection":
      return `${subject.address}:${subject.port}`;
    case "execution":
    case "process":
      return subject.argv.join(" ");
    default:
      return JSON.stringify(subject);
  }
}

/**
 * One scan per case, each from one fixture index: blocked, with the blocking finding naming the
 * expected package, phase, rule and subject, and nothing of the run left behind.
 */
export function describeBlockedCases(title: string, cases: readonly MaliciousCase[], options: ScanOptions = {}): void {
  describe(title, () => {
    const tempDir = useTempDirs("pipcanary-e2e");
    let index: IndexServer;

    beforeAll(async () => {
      index = await startIndex(cases.flatMap((malicious) => malicious.projects));
    });
    afterAll(async () => {
      await index.stop();
    });

    for (const malicious of cases) {
      test(malicious.title, async () => {
        const parent = tempDir(malicious.request);
        const result = await scan(index, [malicious.request], parent, options);
        const blocking = result.findings.find((finding: Finding) => finding.severity === "block");
        expect(result.blocked).toBe(true);
        expect(blocking).toBeDefined();
        if (!blocking) return;
        expect({ package: blocking.package, phase: blocking.phase, rule: blocking.ruleId }).toEqual({
          package: malicious.package,
          phase: malicious.phase,
          rule: malicious.ruleId,
        });
        const expected = malicious.subject;
        if (typeof expected === "string") expect(subjectText(blocking.subject)).toBe(expected.replace(/^~\//, `${homedir()}/`));
        else expect(subjectText(blocking.subject)).toMatch(expected);
        expect(formatScanReport(result.findings)).toContain(`in package ${malicious.package}.`);
        // Killed and cleaned up: no process of the run, no temp dir.
        expect(await waitForNoProcesses(parent)).toEqual([]);
        expect(readdirSync(parent)).toEqual([]);
      }, SCAN_TIMEOUT_MS);
    }
  });
}
