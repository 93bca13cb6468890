import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cacheReport } from "../../src/cache/kinds.ts";
import { staticFactsCacheDir } from "../../src/static/index.ts";
import { defaultSpawn, type SpawnFunction } from "../../src/static/python/extractor.ts";
import { useTempDirs } from "../harness/temp.ts";
import { scan, summary, wheelArtifact } from "./helpers.ts";

const tempDir = useTempDirs("pipcanary-static-facts-cache");

/** Counts the files each extractor process is asked about. */
function countingSpawn(): { spawn: SpawnFunction; files: string[] } {
  const files: string[] = [];
  const spawn: SpawnFunction = (argv, stdin, timeout) => {
    const request = JSON.parse(new TextDecoder().decode(stdin)) as { files: { path: string }[] };
    files.push(...request.files.map((file) => file.path));
    return defaultSpawn(argv, stdin, timeout);
  };
  return { spawn, files };
}

const STEALER = "import os\nwith open(os.path.expanduser('~/.ssh/id_rsa'), 'rb') as f:\n    f.read()\n";

function packs(cacheDir: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(dir, entry.name));
      else if (entry.name.endsWith(".json")) found.push(join(dir, entry.name));
    }
  };
  walk(staticFactsCacheDir(cacheDir));
  return found;
}

describe("static facts cache", () => {
  test("a rerun of the same archives does no extraction and finds the same", async () => {
    const dir = tempDir();
    const cacheDir = tempDir();
    const warnings: string[] = [];
    const factsCache = { dir: cacheDir, warn: (message: string) => warnings.push(message) };
    const stealer = wheelArtifact(dir, { name: "cachesteal", version: "1.0", files: { "cachesteal/__init__.py": STEALER, "cachesteal/util.py": "X = 1\n" } });
    const cold = countingSpawn();
    const first = await scan([stealer], { spawn: cold.spawn, factsCache });
    expect(cold.files.sort()).toEqual(["cachesteal/__init__.py", "cachesteal/util.py"]);
    expect(summary(first.findings)).toEqual(["static.credentials.read block"]);
    const size = (await cacheReport(cacheDir)).kinds.find((kind) => kind.kind === "static facts") ?? { entries: 0, bytes: 0 };
    expect(size.entries).toBe(1);
    expect(size.bytes).toBeGreaterThan(0);

    const [pack] = packs(cacheDir);
    if (pack === undefined) throw new Error("no pack written");
    const written = statSync(pack).mtimeMs;
    const warm = countingSpawn();
    const second = await scan([stealer], { spawn: warm.spawn, factsCache });
    expect(warm.files).toEqual([]);
    // Nothing new was learnt, so the pack is not written again.
    expect(statSync(pack).mtimeMs).toBe(written);
    expect(second.findings).toEqual(first.findings);
    expect(warnings).toEqual([]);
  });

  test("a new release is analysed only for the files that changed since an earlier one", async () => {
    const dir = tempDir();
    const cacheDir = tempDir();
    const factsCache = { dir: cacheDir, warn: () => {} };
    const files = { "relpkg/__init__.py": "from .util import X\n", "relpkg/util.py": "X = 1\n" };
    const v1 = wheelArtifact(dir, { name: "relpkg", version: "1.0", files });
    await scan([v1], { factsCache });
    const v2 = wheelArtifact(dir, { name: "relpkg", version: "1.1", files: { ...files, "relpkg/util.py": STEALER } });
    const counting = countingSpawn();
    const result = await scan([v2], { spawn: counting.spawn, factsCache });
    expect(counting.files).toEqual(["relpkg/util.py"]);
    expect(summary(result.findings)).toEqual(["static.credentials.read block"]);
  });

  test("a corrupt or foreign entry is ignored with a warning and the archive is analysed again", async () => {
    const dir = tempDir();
    const cacheDir = tempDir();
    const warnings: string[] = [];
    const factsCache = { dir: cacheDir, warn: (message: string) => warnings.push(message) };
    const stealer = wheelArtifact(dir, { name: "badcache", version: "1.0", files: { "badcache/__init__.py": STEALER } });
    const first = await scan([stealer], { factsCache });
    const [pack] = packs(cacheDir);
    if (pack === undefined) throw new Error("no pack written");

    // Facts that would hide the credential read, but written for another extractor version.
    const foreign = JSON.parse(readFileSync(pack, "utf8")) as { extractor: string; files: Record<string, unknown> };
    for (const digest of Object.keys(foreign.files)) foreign.files[digest] = { facts: [], imports: [] };
    writeFileSync(pack, JSON.stringify({ ...foreign, extractor: "0".repeat(64) }));
    const afterForeign = countingSpawn();
    expect((await scan([stealer], { spawn: afterForeign.spawn, factsCache })).findings).toEqual(first.findings);
    expect(afterForeign.files).toEqual(["badcache/__init__.py"]);
    expect(warnings.length).toBe(1);
    expect(warnings[0]).toContain("another extractor or archive");

    writeFileSync(pack, "{\"extractor\": \"torn");
    const afterTorn = countingSpawn();
    expect((await scan([stealer], { spawn: afterTorn.spawn, factsCache })).findings).toEqual(first.findings);
    expect(afterTorn.files).toEqual(["badcache/__init__.py"]);
    expect(warnings.length).toBe(2);
    expect(warnings[1]).toContain(pack);
  });
});
