import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cacheReport, cleanCaches, renderCacheReport } from "../../src/cache/kinds.ts";
import { MetadataCache, parseCacheControl, resolveCacheDir } from "../../src/index/cache.ts";
import { IndexClient } from "../../src/index/client.ts";
import { CachedFetcher } from "../../src/index/fetcher.ts";
import { startIndexServer } from "../harness/index-server.ts";
import { useTempDirs } from "../harness/temp.ts";
import type { IndexServer } from "../harness/types.ts";
import { quickHttp, requestLog, wheelRelease } from "./fixture-data.ts";

const tempDir = useTempDirs("pipcanary-cache");
let server: IndexServer;

beforeAll(async () => {
  server = await startIndexServer(
    ["alpha", "beta", "gamma"].map((name) => ({ name, releases: [wheelRelease(name, "1.0", "2024-05-06T07:08:09Z")] })),
    { cacheMaxAge: 600 },
  );
});
afterAll(async () => {
  await server.stop();
});
afterEach(() => {
  server.clearFailures();
  server.requests.length = 0;
});

/** A fresh client per "run", as separate pipcanary processes would have, sharing one cache dir. */
function run(dir: string, options: { offline?: boolean; nowOffsetMs?: number } = {}): IndexClient {
  const fetcher = new CachedFetcher({
    http: quickHttp(),
    cache: new MetadataCache(dir),
    offline: options.offline ?? false,
    now: () => Date.now() + (options.nowOffsetMs ?? 0),
  });
  return new IndexClient(fetcher, { indexUrl: server.simpleUrl });
}

async function auditAll(client: IndexClient): Promise<string[]> {
  const results = await Promise.all(["alpha", "beta", "gamma"].map((name) => client.versionMetadata(name, "1.0")));
  return results.map((result) => result.status);
}

describe("freshness", () => {
  test("a second run makes no request while entries are fresh", async () => {
    const dir = tempDir();
    expect(await auditAll(run(dir))).toEqual(["found", "found", "found"]);
    expect(server.requests).toHaveLength(3);
    server.requests.length = 0;
    expect(await auditAll(run(dir, { nowOffsetMs: 599_000 }))).toEqual(["found", "found", "found"]);
    expect(server.requests).toHaveLength(0);
  });

  test("stale entries are revalidated with If-None-Match; a 304 refreshes them", async () => {
    const dir = tempDir();
    await auditAll(run(dir));
    const etags = new Map(server.requests.map((request) => [request.path, request.headers]));
    server.requests.length = 0;

    expect(await auditAll(run(dir, { nowOffsetMs: 601_000 }))).toEqual(["found", "found", "found"]);
    expect(requestLog(server).sort()).toEqual([
      "GET /pypi/alpha/1.0/json 304",
      "GET /pypi/beta/1.0/json 304",
      "GET /pypi/gamma/1.0/json 304",
    ]);
    for (const request of server.requests) {
      expect(request.headers["if-none-match"]).toMatch(/^"[0-9a-f]{32}"$/);
      expect(etags.has(request.path)).toBe(true);
    }
    server.requests.length = 0;
    // Refreshed at +601 s, so a run at +1000 s finds them fresh again.
    await auditAll(run(dir, { nowOffsetMs: 1_000_000 }));
    expect(server.requests).toHaveLength(0);
  });

  test("the data served from the cache is the data fetched", async () => {
    const dir = tempDir();
    const first = await run(dir).versionMetadata("alpha", "1.0");
    const second = await run(dir).versionMetadata("alpha", "1.0");
    expect(second).toEqual(first);
    expect(server.requests).toHaveLength(1);
  });

  test("one run asks for each document once, however many callers want it", async () => {
    const client = run(tempDir());
    await Promise.all([client.versionMetadata("alpha", "1.0"), client.versionMetadata("alpha", "1.0"), client.versionMetadata("ALPHA", "1.0")]);
    expect(server.requests).toHaveLength(1);
  });

  test("Cache-Control: max-age, no-cache and no-store", () => {
    expect(parseCacheControl("max-age=900, public")).toEqual({ maxAgeSeconds: 900, noStore: false });
    expect(parseCacheControl("public, max-age=900, no-cache")).toEqual({ maxAgeSeconds: 0, noStore: false });
    expect(parseCacheControl("no-store")).toEqual({ maxAgeSeconds: 0, noStore: true });
    expect(parseCacheControl(undefined)).toEqual({ maxAgeSeconds: 0, noStore: false });
  });
});

describe("robustness", () => {
  function entryFiles(dir: string): string[] {
    const root = join(dir, "http-v1");
    return readdirSync(root).flatMap((shard) => readdirSync(join(root, shard)).map((file) => join(root, shard, file)));
  }

  test("a corrupt entry is discarded and fetched again", async () => {
    const dir = tempDir();
    await run(dir).versionMetadata("alpha", "1.0");
    const [file] = entryFiles(dir);
    if (!file) throw new Error("no cache entry written");
    writeFileSync(file, '{"url": "http://half');
    server.requests.length = 0;
    expect((await run(dir).versionMetadata("alpha", "1.0")).status).toBe("found");
    expect(requestLog(server)).toEqual(["GET /pypi/alpha/1.0/json 200"]);
    expect(JSON.parse(readFileSync(file, "utf8")).status).toBe("ok");
  });

  test("parallel runs never read a torn entry", async () => {
    const dir = tempDir();
    const url = "http://example.invalid/pypi/big/json";
    const script = join(tempDir("writer"), "writer.ts");
    writeFileSync(
      script,
      `import { MetadataCache } from ${JSON.stringify(join(import.meta.dir, "../../src/index/cache.ts"))};
const cache = new MetadataCache(process.argv[2]);
const data = { blob: "x".repeat(2_000_000), writer: process.pid };
for (let i = 0; i < 40; i++) await cache.write({ url: ${JSON.stringify(url)}, accept: "application/json", status: "ok", data, etag: String(i), maxAgeSeconds: 60, fetchedAt: Date.now() });
`,
    );
    const writers = [1, 2].map(() => Bun.spawn([process.execPath, script, dir], { stdout: "ignore", stderr: "pipe" }));
    const cache = new MetadataCache(dir);
    let finished = false;
    const done = Promise.all(writers.map((writer) => writer.exited)).finally(() => (finished = true));
    // Once an entry exists, every read must find a whole one: a torn file would read as corrupt
    // (and be deleted), so a single miss after the first hit is the failure this test is for.
    let hits = 0;
    let missesAfterFirstHit = 0;
    while (!finished) {
      const entry = await cache.read(url, "application/json");
      if (entry) {
        hits++;
        expect((entry.data as { blob: string }).blob).toHaveLength(2_000_000);
      } else if (hits > 0) missesAfterFirstHit++;
    }
    expect(await done).toEqual([0, 0]);
    expect(hits).toBeGreaterThan(5);
    expect(missesAfterFirstHit).toBe(0);
    const leftovers = readdirSync(join(dir, "http-v1"), { recursive: true }).map(String).filter((name) => name.endsWith(".tmp"));
    expect(leftovers).toEqual([]);
  });
});

test("an unwritable cache directory costs the cache, not the run, and says so", async () => {
  const notADir = join(tempDir(), "file");
  writeFileSync(notADir, "a file where the cache directory should be");
  const client = run(notADir);
  expect(await auditAll(client)).toEqual(["found", "found", "found"]);
  expect(client.fetcher.warnings).toEqual([expect.stringContaining(`cannot write the metadata cache in ${notADir} (`)]);
});

describe("offline", () => {
  test("serves cached entries whatever their age, without a request", async () => {
    const dir = tempDir();
    await run(dir).versionMetadata("alpha", "1.0");
    server.requests.length = 0;
    const offline = run(dir, { offline: true, nowOffsetMs: 365 * 86_400_000 });
    expect((await offline.versionMetadata("alpha", "1.0")).status).toBe("found");
    expect((await offline.versionMetadata("beta", "1.0")).status).toBe("missing");
    expect(server.requests).toHaveLength(0);
  });

  test("a cached 404 stays a 404 offline", async () => {
    const dir = tempDir();
    expect((await run(dir).versionMetadata("nope", "1.0")).status).toBe("not-found");
    server.requests.length = 0;
    expect((await run(dir, { offline: true }).versionMetadata("nope", "1.0")).status).toBe("not-found");
    expect(server.requests).toHaveLength(0);
  });
});

describe("cache directory, info and clean", () => {
  test("--cache-dir, then PIPCANARY_CACHE_DIR, then $XDG_CACHE_HOME/pipcanary, then ~/.cache/pipcanary", () => {
    const env = { PIPCANARY_CACHE_DIR: "/env/dir", XDG_CACHE_HOME: "/xdg", HOME: "/home/u" };
    expect(resolveCacheDir({ cacheDir: "/flag", env })).toBe("/flag");
    expect(resolveCacheDir({ env })).toBe("/env/dir");
    expect(resolveCacheDir({ env: { XDG_CACHE_HOME: "/xdg", HOME: "/home/u" } })).toBe("/xdg/pipcanary");
    expect(resolveCacheDir({ env: { XDG_CACHE_HOME: "relative", HOME: "/home/u" } })).toBe("/home/u/.cache/pipcanary");
    expect(resolveCacheDir({ env: { HOME: "/home/u" } })).toBe("/home/u/.cache/pipcanary");
  });

  test("info counts entries and bytes; clean removes only pipcanary's entries", async () => {
    const dir = tempDir();
    expect((await cacheReport(dir)).entries).toBe(0);
    writeFileSync(join(dir, "user-notes.txt"), "not ours");
    await auditAll(run(dir));
    const info = await cacheReport(dir);
    const metadata = info.kinds.find((usage) => usage.kind === "metadata");
    expect(metadata?.entries).toBe(3);
    expect(metadata?.bytes ?? 0).toBeGreaterThan(300);
    expect(info.oldest && info.newest && info.oldest <= info.newest).toBe(true);
    expect(renderCacheReport(info)).toContain(`Cache directory: ${dir}\nEntries: 3\n`);
    expect((await cleanCaches(dir)).entries).toBe(3);
    expect((await cacheReport(dir)).entries).toBe(0);
    expect(readdirSync(dir)).toEqual(["user-notes.txt"]);
  });
});
