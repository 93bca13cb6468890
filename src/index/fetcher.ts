import { errorMessage } from "../core/errors.ts";
import type { HttpClient } from "./http.ts";
import { isFresh, parseCacheControl, type CacheEntry, type MetadataCache } from "./cache.ts";

/**
 * One GET of a JSON document through the disk cache: a fresh entry is served with no request, a
 * stale one is revalidated with If-None-Match, offline mode serves whatever is stored. Requests for
 * the same document within one run share one promise.
 */

export type Document =
  | { status: "ok"; data: unknown }
  | { status: "not-found" }
  /** Offline and not in the cache. */
  | { status: "missing" };

export interface FetcherOptions {
  http: HttpClient;
  /** No cache at all when undefined. */
  cache: MetadataCache | undefined;
  offline: boolean;
  /** Epoch ms; injectable so tests can age entries without waiting. */
  now?: () => number;
}

export class CachedFetcher {
  /** Problems worth a warning that did not stop the run (an unwritable cache directory). */
  readonly warnings: string[] = [];
  private readonly inFlight = new Map<string, Promise<Document>>();
  private readonly now: () => number;

  constructor(private readonly options: FetcherOptions) {
    this.now = options.now ?? Date.now;
  }

  get offline(): boolean {
    return this.options.offline;
  }

  /**
   * `isCurrent` lets a caller that knows better than Cache-Control (OSV's querybatch names each
   * record's `modified` time) accept a stored entry, fresh or not, without a request.
   */
  get(url: string, accept = "application/json", isCurrent?: (data: unknown) => boolean): Promise<Document> {
    const key = `${accept}\n${url}`;
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.load(url, accept, isCurrent);
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  /**
   * A document only a POST can fetch (OSV's querybatch answer for one project), as stored under
   * `key`; undefined when nothing is. Such answers are always asked again online, so only
   * --offline reads them.
   */
  async stored(key: string): Promise<unknown> {
    const entry = await this.options.cache?.read(key, "application/json");
    return entry?.status === "ok" ? entry.data : undefined;
  }

  /** Stores what a POST answered under `key`, for --offline runs. */
  remember(key: string, data: unknown): Promise<void> {
    return this.store({ url: key, accept: "application/json", status: "ok", data, etag: undefined, maxAgeSeconds: 0, fetchedAt: this.now() });
  }

  private async load(url: string, accept: string, isCurrent: ((data: unknown) => boolean) | undefined): Promise<Document> {
    const { cache, http, offline } = this.options;
    const stored = cache ? await cache.read(url, accept) : undefined;
    if (offline) return stored ? fromEntry(stored) : { status: "missing" };
    if (stored && (isFresh(stored, this.now()) || (stored.status === "ok" && isCurrent?.(stored.data)))) return fromEntry(stored);

    const etag = stored?.status === "ok" ? stored.etag : undefined;
    const result = await http.getJson(url, { accept, etag });
    if (result.status === "not-found") {
      await this.store({ url, accept, status: "not-found", data: null, etag: undefined, maxAgeSeconds: 0, fetchedAt: this.now() });
      return { status: "not-found" };
    }
    const control = parseCacheControl(result.cacheControl);
    const fetchedAt = this.now() - result.ageSeconds * 1000;
    if (result.status === "not-modified" && stored) {
      const refreshed: CacheEntry = { ...stored, fetchedAt, maxAgeSeconds: control.maxAgeSeconds, etag: result.etag ?? stored.etag };
      if (!control.noStore) await this.store(refreshed);
      return fromEntry(refreshed);
    }
    if (result.status !== "ok") throw new Error(`unexpected ${result.status} for ${url}`);
    if (!control.noStore) {
      await this.store({ url, accept, status: "ok", data: result.data, etag: result.etag, maxAgeSeconds: control.maxAgeSeconds, fetchedAt });
    }
    return { status: "ok", data: result.data };
  }

  /** The cache only saves requests: failing to write it costs speed, never the audit. */
  private async store(entry: CacheEntry): Promise<void> {
    const cache = this.options.cache;
    if (!cache) return;
    try {
      await cache.write(entry);
    } catch (error) {
      if (this.warnings.length === 0) {
        this.warnings.push(`cannot write the metadata cache in ${cache.dir} (${errorMessage(error)}); continuing without it — check --cache-dir`);
      }
    }
  }
}

function fromEntry(entry: CacheEntry): Document {
  return entry.status === "ok" ? { status: "ok", data: entry.data } : { status: "not-found" };
}
