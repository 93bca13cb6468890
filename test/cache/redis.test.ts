/*
 * The shared level against a real redis-server on 127.0.0.1 (started by the test, stopped by PID):
 * two runners with their own local caches share verdicts; tags, the key, read-only mode and a
 * Redis that is down or does not answer.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { RedisClient } from "bun";
import { existsSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { VERDICT_LAYOUT } from "../../src/cache/local-store.ts";
import { redisKeyOf } from "../../src/cache/redis-store.ts";
import { openVerdictCache, parseVerdictCacheUrl, type VerdictCache } from "../../src/cache/verdict-cache.ts";
import { InputError } from "../../src/core/errors.ts";
import { freePort, type RedisServer, startRedisServer } from "../harness/redis-server.ts";
import { useTempDirs } from "../harness/temp.ts";
import { blockedVerdict, SECRET, safeVerdict } from "./fixtures.ts";

const tempDir = useTempDirs("pipcanary-verdict-redis");
let redis: RedisServer;
let raw: RedisClient;
let nextDb = 1;

beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  raw?.close();
  await redis.stop();
});

interface Runner {
  cache: VerdictCache;
  warnings: string[];
  cacheDir: string;
}

/** One CI runner: its own local cache directory, the shared Redis. */
function runner(url: string, options: { secret?: string; readonly?: boolean } = {}): Runner {
  const warnings: string[] = [];
  const cacheDir = tempDir("runner");
  const env = { PIPCANARY_CACHE_KEY: options.secret ?? SECRET };
  const cache = openVerdictCache({ cacheDir, sharedUrl: url, readonly: options.readonly ?? false, env, warn: (message) => warnings.push(message) });
  return { cache, warnings, cacheDir };
}

/** A database of its own per test, and a plain client to look into it. */
async function freshDb(): Promise<{ url: string; client: RedisClient }> {
  const url = redis.url(nextDb++);
  raw?.close();
  raw = new RedisClient(url);
  await raw.connect();
  return { url, client: raw };
}

const KEY = "12".repeat(32);

describe("shared verdict cache (redis-server)", () => {
  test("a verdict stored by one runner is a hit for another, then local there too", async () => {
    const { url } = await freshDb();
    const first = runner(url);
    await first.cache.store(KEY, blockedVerdict());
    first.cache.close();

    const second = runner(url);
    expect(await second.cache.lookup(KEY)).toEqual({ verdict: blockedVerdict(), level: "shared" });
    expect(await second.cache.lookup(KEY)).toEqual({ verdict: blockedVerdict(), level: "local" });
    expect(await second.cache.lookup("34".repeat(32))).toBeUndefined();
    second.cache.close();
    expect([...first.warnings, ...second.warnings]).toEqual([]);
  });

  test("an entry written under another key, or altered in Redis, is ignored and reported", async () => {
    const { url, client } = await freshDb();
    const stranger = runner(url, { secret: "f".repeat(40) });
    await stranger.cache.store(KEY, safeVerdict());
    stranger.cache.close();

    const trusted = runner(url);
    expect(await trusted.cache.lookup(KEY)).toBeUndefined();
    expect(trusted.warnings).toHaveLength(1);
    expect(trusted.warnings[0]).toContain(`Ignoring the shared verdict ${redisKeyOf(KEY)}`);
    expect(trusted.warnings[0]).toContain("HMAC tag does not match PIPCANARY_CACHE_KEY");

    // A correctly tagged entry whose verdict is then flipped from blocked to clean.
    await trusted.cache.store("56".repeat(32), blockedVerdict());
    const stored = await client.get(redisKeyOf("56".repeat(32)));
    expect(stored).toContain('"blocked":true');
    await client.set(redisKeyOf("56".repeat(32)), (stored ?? "").replace('"blocked":true', '"blocked":false').replace('"severity":"block"', '"severity":"warn"'));
    const other = runner(url);
    expect(await other.cache.lookup("56".repeat(32))).toBeUndefined();
    expect(other.warnings.join("\n")).toContain("HMAC tag does not match");
    trusted.cache.close();
    other.cache.close();
  });

  test("--verdict-cache takes redis:// and rediss:// URLs with a host and at most a database number", () => {
    expect(parseVerdictCacheUrl("redis://127.0.0.1:6379/2")).toBe("redis://127.0.0.1:6379/2");
    expect(parseVerdictCacheUrl("rediss://user:pass@cache.internal:6380")).toBe("rediss://user:pass@cache.internal:6380");
    expect(() => parseVerdictCacheUrl("http://127.0.0.1:6379")).toThrow("is not a redis:// or rediss:// URL");
    expect(() => parseVerdictCacheUrl("redis://127.0.0.1:6379/cache")).toThrow("the path must be a database number");
    expect(() => parseVerdictCacheUrl("127.0.0.1:6379")).toThrow();
    let message = "";
    try {
      parseVerdictCacheUrl("rediss://user:topsecret@cache.internal:6380/x");
    } catch (error) {
      message = error instanceof Error ? error.message : "";
    }
    expect(message).toContain("rediss://user:***@cache.internal:6380/x");
  });

  test("without PIPCANARY_CACHE_KEY (or with a short one) the shared cache is refused", () => {
    const open = (env: Record<string, string>) => () => openVerdictCache({ cacheDir: tempDir(), sharedUrl: redis.url(), readonly: false, env, warn: () => {} });
    expect(open({})).toThrow(InputError);
    expect(open({})).toThrow("--verdict-cache is refused without PIPCANARY_CACHE_KEY");
    expect(open({ PIPCANARY_CACHE_KEY: "short" })).toThrow("PIPCANARY_CACHE_KEY is too short");
  });

  test("read-only reads shared verdicts and writes nothing, shared or local", async () => {
    const { url, client } = await freshDb();
    const pullRequest = runner(url, { readonly: true });
    await pullRequest.cache.store(KEY, safeVerdict());
    expect(await client.send("DBSIZE", [])).toBe(0);

    const trusted = runner(url);
    await trusted.cache.store(KEY, safeVerdict());
    expect(await client.send("DBSIZE", [])).toBe(1);
    expect(await pullRequest.cache.lookup(KEY)).toEqual({ verdict: safeVerdict(), level: "shared" });
    expect(existsSync(join(pullRequest.cacheDir, VERDICT_LAYOUT))).toBe(false);
    pullRequest.cache.close();
    trusted.cache.close();
  });

  test("a Redis that is down: one warning, the local level still works", async () => {
    const down = runner(`redis://127.0.0.1:${await freePort()}/0`);
    await down.cache.store(KEY, safeVerdict());
    expect(await down.cache.lookup(KEY)).toEqual({ verdict: safeVerdict(), level: "local" });
    expect(await down.cache.lookup("78".repeat(32))).toBeUndefined();
    expect(down.warnings).toHaveLength(1);
    expect(down.warnings[0]).toContain("The shared verdict cache redis://127.0.0.1:");
    expect(down.warnings[0]).toContain("is unavailable");
    expect(down.warnings[0]).toContain("using the local verdict cache only");
    down.cache.close();
  });

  test("a Redis that accepts but never answers is given up after its timeout", async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const address = silent.address();
    const port = typeof address === "object" && address ? address.port : 0;
    try {
      const slow = runner(`redis://127.0.0.1:${port}/0`);
      expect(await slow.cache.lookup(KEY)).toBeUndefined();
      await slow.cache.store(KEY, safeVerdict());
      expect(await slow.cache.lookup(KEY)).toEqual({ verdict: safeVerdict(), level: "local" });
      expect(slow.warnings).toHaveLength(1);
      expect(slow.warnings[0]).toContain("is unavailable");
      slow.cache.close();
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });

  test("a Redis that requires a password: the URL's credentials authenticate, wrong ones fall back", async () => {
    const guarded = await startRedisServer(["--requirepass", "s3cret-pass"]);
    try {
      const writer = runner(`redis://default:s3cret-pass@127.0.0.1:${guarded.port}/0`);
      await writer.cache.store(KEY, safeVerdict());
      const reader = runner(`redis://default:s3cret-pass@127.0.0.1:${guarded.port}/0`);
      expect((await reader.cache.lookup(KEY))?.level).toBe("shared");
      const wrong = runner(`redis://default:wrong@127.0.0.1:${guarded.port}/0`);
      expect(await wrong.cache.lookup(KEY)).toBeUndefined();
      expect(wrong.warnings.join("\n")).toContain("is unavailable");
      expect([...writer.warnings, ...reader.warnings]).toEqual([]);
      for (const each of [writer, reader, wrong]) each.cache.close();
    } finally {
      await guarded.stop();
    }
  });

  test("a password in the URL never appears in a message", async () => {
    const down = runner(`redis://user:hunter2@127.0.0.1:${await freePort()}/0`);
    expect(await down.cache.lookup(KEY)).toBeUndefined();
    expect(down.warnings.join("\n")).not.toContain("hunter2");
    expect(down.warnings.join("\n")).toContain("user:***@");
    down.cache.close();
  });
});
