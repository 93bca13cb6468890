import { createHash } from "node:crypto";
import { readFile, rm } from "node:fs/promises";
import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";
import { writeFileAtomic } from "../core/atomic-write.ts";

/**
 * The on-disk metadata cache: one JSON file per (URL, Accept), holding the parsed response with
 * its ETag, its freshness lifetime (Cache-Control max-age) and when it was fetched. Files live
 * under a versioned subdirectory so `cache clean` (src/cache/kinds.ts) only ever removes what
 * pipcanary wrote.
 */

export const METADATA_LAYOUT = "http-v1";

export interface CacheEntry {
  url: string;
  accept: string;
  status: "ok" | "not-found";
  data: unknown;
  etag: string | undefined;
  /** Freshness lifetime in seconds; 0 means "revalidate before use". */
  maxAgeSeconds: number;
  /** When the response was generated (fetch time minus its Age), epoch ms. */
  fetchedAt: number;
}

export interface CacheDirOptions {
  /** `--cache-dir`. */
  cacheDir?: string | undefined;
  env?: Readonly<Record<string, string | undefined>>;
}

/** `--cache-dir`, else PIPCANARY_CACHE_DIR, else $XDG_CACHE_HOME/pipcanary, else ~/.cache/pipcanary. */
export function resolveCacheDir(options: CacheDirOptions = {}): string {
  const env = options.env ?? process.env;
  if (options.cacheDir) return options.cacheDir;
  if (env.PIPCANARY_CACHE_DIR) return env.PIPCANARY_CACHE_DIR;
  // The XDG spec says a relative XDG_CACHE_HOME is invalid and must be ignored.
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, "pipcanary");
  return join(env.HOME || homedir(), ".cache", "pipcanary");
}

export interface CacheControl {
  maxAgeSeconds: number;
  noStore: boolean;
}

/** The directives that matter to a private cache: max-age, no-cache (revalidate), no-store. */
export function parseCacheControl(header: string | undefined): CacheControl {
  let maxAgeSeconds = 0;
  let noStore = false;
  let noCache = false;
  for (const directive of (header ?? "").toLowerCase().split(",")) {
    const [key = "", value = ""] = directive.trim().split("=", 2);
    if (key === "max-age") maxAgeSeconds = Math.max(0, Number.parseInt(value.replace(/"/g, ""), 10) || 0);
    else if (key === "no-store") noStore = true;
    else if (key === "no-cache") noCache = true;
  }
  return { maxAgeSeconds: noCache ? 0 : maxAgeSeconds, noStore };
}

export function isFresh(entry: CacheEntry, now: number): boolean {
  return now - entry.fetchedAt < entry.maxAgeSeconds * 1000;
}

export class MetadataCache {
  constructor(readonly dir: string) {}

  private pathFor(url: string, accept: string): string {
    const key = createHash("sha256").update(`${accept}\n${url}`).digest("hex");
    return join(this.dir, METADATA_LAYOUT, key.slice(0, 2), `${key}.json`);
  }

  /** The stored entry, or undefined; a corrupt or foreign file is deleted so it is fetched again. */
  async read(url: string, accept: string): Promise<CacheEntry | undefined> {
    const path = this.pathFor(url, accept);
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch {
      return undefined;
    }
    const entry = parseEntry(text);
    if (!entry || entry.url !== url || entry.accept !== accept) {
      await rm(path, { force: true });
      return undefined;
    }
    return entry;
  }

  async write(entry: CacheEntry): Promise<void> {
    await writeFileAtomic(this.pathFor(entry.url, entry.accept), JSON.stringify(entry));
  }
}

function parseEntry(text: string): CacheEntry | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const entry = value as Record<string, unknown>;
  const valid =
    typeof entry.url === "string" &&
    typeof entry.accept === "string" &&
    (entry.status === "ok" || entry.status === "not-found") &&
    (entry.etag === undefined || typeof entry.etag === "string") &&
    typeof entry.maxAgeSeconds === "number" &&
    typeof entry.fetchedAt === "number" &&
    (entry.status === "not-found" || "data" in entry);
  return valid ? (entry as unknown as CacheEntry) : undefined;
}
