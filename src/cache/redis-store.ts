/**
 * The shared level of the verdict cache: Redis, reached with Bun's built-in client (it takes
 * redis://user:pass@host:port/db and rediss:// URLs and has a connect timeout; commands get their
 * own timeout here). Every entry carries an HMAC-SHA256 tag under PIPCANARY_CACHE_KEY over the
 * Redis key and the entry, so only holders of the key can write verdicts others will trust.
 * A Redis that is down or slow costs one warning and the rest of the run uses the local level.
 */
import { RedisClient } from "bun";
import { createHmac, timingSafeEqual } from "node:crypto";
import { decodeVerdictEntry, encodeVerdictEntry, type Verdict } from "./verdict.ts";

/** Connect and per-command limit: a shared cache slower than this is not worth waiting for. */
const TIMEOUT_MS = 2000;
/** Entries expire so a store shared by a fleet does not grow without bound; a miss only costs a scan. */
const ENTRY_TTL_SECONDS = 30 * 86_400;
const KEY_PREFIX = "pipcanary:verdicts-v1:";

export interface RedisStoreOptions {
  url: string;
  /** PIPCANARY_CACHE_KEY. */
  secret: string;
  warn: (message: string) => void;
}

/** The URL with its password masked, for messages. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(invalid URL)";
  }
}

function tagOf(secret: string, redisKey: string, entry: string): Buffer {
  return createHmac("sha256", secret).update(`${redisKey}\n${entry}`).digest();
}

/** `<hex tag>\n<entry>`: what is stored under a key. */
function signEntry(secret: string, redisKey: string, entry: string): string {
  return `${tagOf(secret, redisKey, entry).toString("hex")}\n${entry}`;
}

/** The entry when its tag is right, else undefined. */
function verifyEntry(secret: string, redisKey: string, stored: string): string | undefined {
  const newline = stored.indexOf("\n");
  if (newline < 0) return undefined;
  const tag = Buffer.from(stored.slice(0, newline), "hex");
  const entry = stored.slice(newline + 1);
  const expected = tagOf(secret, redisKey, entry);
  return tag.length === expected.length && timingSafeEqual(tag, expected) ? entry : undefined;
}

export function redisKeyOf(key: string): string {
  return `${KEY_PREFIX}${key}`;
}

class SharedCacheTimeout extends Error {}

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SharedCacheTimeout(`${what} took longer than ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export class RedisVerdictStore {
  private client: RedisClient | undefined;
  private connecting: Promise<RedisClient> | undefined;
  private down = false;

  constructor(private readonly options: RedisStoreOptions) {}

  get label(): string {
    return redactedUrl(this.options.url);
  }

  /** The verdict stored under `key`; a bad tag or a malformed entry is reported and is a miss. */
  async read(key: string): Promise<Verdict | undefined> {
    const redisKey = redisKeyOf(key);
    const stored = await this.command("GET", [redisKey]);
    if (typeof stored !== "string") return undefined;
    const entry = verifyEntry(this.options.secret, redisKey, stored);
    if (entry === undefined) {
      this.options.warn(`Ignoring the shared verdict ${redisKey} in ${this.label}: its HMAC tag does not match PIPCANARY_CACHE_KEY (written with another key, or tampered with). The packages are scanned again.`);
      return undefined;
    }
    const decoded = decodeVerdictEntry(key, entry);
    if (decoded.ok) return decoded.verdict;
    this.options.warn(`Ignoring the shared verdict ${redisKey} in ${this.label}: ${decoded.reason}. The packages are scanned again.`);
    return undefined;
  }

  async write(key: string, verdict: Verdict): Promise<void> {
    const redisKey = redisKeyOf(key);
    const stored = signEntry(this.options.secret, redisKey, encodeVerdictEntry(key, verdict));
    await this.command("SET", [redisKey, stored, "EX", String(ENTRY_TTL_SECONDS)]);
  }

  close(): void {
    this.client?.close();
    this.client = undefined;
  }

  /** Runs one command; after the first failure the store stays off for the rest of the run. */
  private async command(name: string, args: string[]): Promise<unknown> {
    if (this.down) return undefined;
    try {
      const client = await this.connect();
      const reply: unknown = await withTimeout(client.send(name, args), `Redis ${name}`);
      return reply;
    } catch (error) {
      this.down = true;
      this.close();
      const reason = error instanceof Error ? error.message : String(error);
      this.options.warn(`The shared verdict cache ${this.label} is unavailable (${reason}); using the local verdict cache only.`);
      return undefined;
    }
  }

  private connect(): Promise<RedisClient> {
    this.connecting ??= (async () => {
      const client = new RedisClient(this.options.url, { connectionTimeout: TIMEOUT_MS, autoReconnect: false, enableOfflineQueue: false });
      this.client = client;
      await withTimeout(client.connect(), "connecting to Redis");
      return client;
    })();
    return this.connecting;
  }
}
