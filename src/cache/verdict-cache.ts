/**
 * The verdict cache as the scan uses it: `lookup` before install and import, `store` after a
 * behavioural scan that ran to its end. A local level on disk, and optionally a shared Redis level
 * behind it whose hits are copied to the local level.
 */
import { InputError } from "../core/errors.ts";
import { LocalVerdictStore } from "./local-store.ts";
import { RedisVerdictStore, redactedUrl } from "./redis-store.ts";
import type { Verdict } from "./verdict.ts";

export type { Verdict, VerdictDistribution } from "./verdict.ts";

export interface VerdictHit {
  verdict: Verdict;
  level: "local" | "shared";
}

export interface VerdictCache {
  lookup(key: string): Promise<VerdictHit | undefined>;
  store(key: string, verdict: Verdict): Promise<void>;
  /** Closes the connection to the shared level, if any. */
  close(): void;
}

/** Environment variable holding the shared cache's HMAC key; never an option, so it never lands in a config file. */
export const CACHE_KEY_VARIABLE = "PIPCANARY_CACHE_KEY";
const MIN_KEY_LENGTH = 32;

export interface VerdictCacheConfig {
  /** `--cache-dir`: the local level lives below it. */
  cacheDir: string;
  /** `--verdict-cache redis://…`: the shared level, if any. */
  sharedUrl: string | undefined;
  /** `--verdict-cache-readonly`: read both levels, write neither. */
  readonly: boolean;
  env: Readonly<Record<string, string | undefined>>;
  warn: (message: string) => void;
}

/** Checks a `--verdict-cache` value: a redis:// or rediss:// URL with a host. */
export function parseVerdictCacheUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new Error(`'${text}' is not a URL; expected redis://host:port/db or rediss://host:port/db`);
  }
  if (url.protocol !== "redis:" && url.protocol !== "rediss:") throw new Error(`${redactedUrl(text)} is not a redis:// or rediss:// URL`);
  if (url.hostname === "") throw new Error(`${redactedUrl(text)} names no host`);
  if (url.pathname !== "" && url.pathname !== "/" && !/^\/\d+$/.test(url.pathname)) throw new Error(`${redactedUrl(text)}: the path must be a database number, as in redis://host:6379/0`);
  return url.toString();
}

function sharedSecret(env: VerdictCacheConfig["env"]): string {
  const secret = env[CACHE_KEY_VARIABLE];
  if (secret === undefined || secret === "") {
    throw new InputError(
      `--verdict-cache is refused without ${CACHE_KEY_VARIABLE}: verdicts from a shared store are trusted only when they carry an HMAC tag under a key this run holds`,
      undefined,
      `set ${CACHE_KEY_VARIABLE} to a secret of at least ${MIN_KEY_LENGTH} characters shared by the runners (e.g. from \`openssl rand -hex 32\`), or drop --verdict-cache`,
    );
  }
  if (secret.length < MIN_KEY_LENGTH) {
    throw new InputError(`${CACHE_KEY_VARIABLE} is too short to authenticate shared verdicts`, undefined, `use at least ${MIN_KEY_LENGTH} characters, e.g. from \`openssl rand -hex 32\``);
  }
  return secret;
}

class LayeredVerdictCache implements VerdictCache {
  constructor(
    private readonly local: LocalVerdictStore,
    private readonly shared: RedisVerdictStore | undefined,
    private readonly readonly: boolean,
    private readonly warn: (message: string) => void,
  ) {}

  async lookup(key: string): Promise<VerdictHit | undefined> {
    const local = await this.local.read(key);
    if (local) return { verdict: local, level: "local" };
    const shared = await this.shared?.read(key);
    if (!shared) return undefined;
    if (!this.readonly) await this.writeLocal(key, shared);
    return { verdict: shared, level: "shared" };
  }

  async store(key: string, verdict: Verdict): Promise<void> {
    if (this.readonly) return;
    await this.writeLocal(key, verdict);
    await this.shared?.write(key, verdict);
  }

  close(): void {
    this.shared?.close();
  }

  private async writeLocal(key: string, verdict: Verdict): Promise<void> {
    try {
      await this.local.write(key, verdict);
    } catch (error) {
      this.warn(`Could not write the verdict cache in ${this.local.dir}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/** Opens the cache a run asked for; throws InputError when the shared level lacks its key. */
export function openVerdictCache(config: VerdictCacheConfig): VerdictCache {
  const shared = config.sharedUrl === undefined ? undefined : new RedisVerdictStore({ url: config.sharedUrl, secret: sharedSecret(config.env), warn: config.warn });
  return new LayeredVerdictCache(new LocalVerdictStore(config.cacheDir, config.warn), shared, config.readonly, config.warn);
}
