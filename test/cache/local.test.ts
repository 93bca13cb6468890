import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cacheReport, cleanCaches, renderCacheReport } from "../../src/cache/kinds.ts";
import { VERDICT_LAYOUT } from "../../src/cache/local-store.ts";
import { openVerdictCache, type VerdictCache } from "../../src/cache/verdict-cache.ts";
import { MetadataCache } from "../../src/index/cache.ts";
import { staticFactsCacheDir } from "../../src/static/index.ts";
import { useTempDirs } from "../harness/temp.ts";
import { blockedVerdict, safeVerdict } from "./fixtures.ts";

const tempDir = useTempDirs("pipcanary-verdict-local");
const KEY = "ab".repeat(32);
const OTHER_KEY = "cd".repeat(32);

function open(cacheDir: string, readonly = false): { cache: VerdictCache; warnings: string[] } {
  const warnings: string[] = [];
  return { cache: openVerdictCache({ cacheDir, sharedUrl: undefined, readonly, env: {}, warn: (message) => warnings.push(message) }), warnings };
}

function entryPath(cacheDir: string, key: string): string {
  return join(cacheDir, VERDICT_LAYOUT, key.slice(0, 2), `${key}.json`);
}

describe("local verdict cache", () => {
  test("a stored verdict is found again by a later run, under its key only", async () => {
    const dir = tempDir();
    await open(dir).cache.store(KEY, safeVerdict());
    await open(dir).cache.store(OTHER_KEY, blockedVerdict());
    const { cache, warnings } = open(dir);
    expect(await cache.lookup(KEY)).toEqual({ verdict: safeVerdict(), level: "local" });
    expect(await cache.lookup(OTHER_KEY)).toEqual({ verdict: blockedVerdict(), level: "local" });
    expect(await cache.lookup("ef".repeat(32))).toBeUndefined();
    expect(warnings).toEqual([]);
    // Written atomically: no temp file is left next to the entry.
    expect(readdirSync(join(dir, VERDICT_LAYOUT, KEY.slice(0, 2)))).toEqual([`${KEY}.json`]);
  });

  test("a corrupted entry is ignored with a warning, and the next store replaces it", async () => {
    const dir = tempDir();
    const { cache, warnings } = open(dir);
    await cache.store(KEY, safeVerdict());
    const path = entryPath(dir, KEY);
    writeFileSync(path, readFileSync(path, "utf8").replace('"blocked":false', '"blocked":true'));
    expect(await cache.lookup(KEY)).toBeUndefined();
    writeFileSync(path, "{ torn");
    expect(await cache.lookup(KEY)).toBeUndefined();
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain(`Ignoring the cached verdict ${path}: malformed verdict`);
    expect(warnings[1]).toContain("not valid JSON");
    await cache.store(KEY, safeVerdict());
    expect((await cache.lookup(KEY))?.verdict).toEqual(safeVerdict());
  });

  test("a foreign entry (another key's verdict copied over) is not trusted", async () => {
    const dir = tempDir();
    const { cache, warnings } = open(dir);
    await cache.store(OTHER_KEY, blockedVerdict());
    await cache.store(KEY, safeVerdict());
    writeFileSync(entryPath(dir, KEY), readFileSync(entryPath(dir, OTHER_KEY)));
    expect(await cache.lookup(KEY)).toBeUndefined();
    expect(warnings.join("\n")).toContain("filed under another key");
  });

  test("read-only reads what is there and writes nothing", async () => {
    const dir = tempDir();
    await open(dir, true).cache.store(KEY, safeVerdict());
    expect(existsSync(join(dir, VERDICT_LAYOUT))).toBe(false);
    await open(dir).cache.store(KEY, safeVerdict());
    expect((await open(dir, true).cache.lookup(KEY))?.verdict).toEqual(safeVerdict());
  });
});

describe("cache info and clean", () => {
  test("count and size per kind; clean empties every kind", async () => {
    const dir = tempDir();
    await open(dir).cache.store(KEY, safeVerdict());
    await open(dir).cache.store(OTHER_KEY, blockedVerdict());
    await new MetadataCache(dir).write({ url: "https://pypi.org/simple/x/", accept: "application/json", status: "ok", data: {}, etag: undefined, maxAgeSeconds: 60, fetchedAt: Date.now() });
    mkdirSync(join(staticFactsCacheDir(dir), "v", "demo"), { recursive: true });
    writeFileSync(join(staticFactsCacheDir(dir), "v", "demo", `${"c".repeat(64)}.json`), "{}");
    const report = await cacheReport(dir);
    expect(report.kinds.map(({ kind, entries }) => [kind, entries])).toEqual([
      ["metadata", 1],
      ["verdicts", 2],
      ["static facts", 1],
    ]);
    expect(report.entries).toBe(4);
    expect(report.bytes).toBe(report.kinds.reduce((sum, usage) => sum + usage.bytes, 0));
    const text = renderCacheReport(report);
    expect(text).toContain("Entries: 4\n");
    expect(text).toContain("  verdicts: 2 entries, ");
    const removed = await cleanCaches(dir);
    expect(removed.entries).toBe(4);
    expect((await cacheReport(dir)).entries).toBe(0);
    expect(await open(dir).cache.lookup(KEY)).toBeUndefined();
  });
});
