import { MetadataCache, resolveCacheDir } from "./cache.ts";
import { CachedFetcher } from "./fetcher.ts";
import { HttpClient, type HttpOptions } from "./http.ts";
import { readProjectJson, readSimpleJson, readVersionJson, type ProjectDocument, type ReleaseFile, type VersionDocument } from "./metadata.ts";
import { DEFAULT_INDEX_URL, jsonApiRoot, projectJsonUrl, simpleProjectUrl, simpleRoot, versionJsonUrl } from "./urls.ts";

/**
 * The PyPI client the audit uses: version metadata (files, upload times, vulnerabilities) from the
 * JSON API of `--index-url`, then of each extra index; release lists from the PEP 691 simple API
 * of every index, merged. A 404 means "not on this index" and the next index is asked.
 */

export const SIMPLE_JSON = "application/vnd.pypi.simple.v1+json";

export interface IndexOptions {
  /** `--index-url`; default https://pypi.org/simple. */
  indexUrl?: string | undefined;
  /** `--extra-index-url`, in order. */
  extraIndexUrls?: string[];
  /** The JSON API root of `--index-url` when it cannot be derived (`<base>/simple/` → `<base>/pypi/`). */
  jsonApiUrl?: string | undefined;
}

export interface CacheOptions {
  /** `--cache-dir`; see resolveCacheDir for the defaults. */
  cacheDir?: string | undefined;
  /** `--no-cache`: neither read nor write the disk cache. */
  noCache?: boolean;
  /** `--offline`: only the cache, whatever its age; never a request. */
  offline?: boolean;
  env?: Readonly<Record<string, string | undefined>>;
  /** Clock for cache freshness, epoch ms (tests age entries with it). */
  cacheClock?: () => number;
}

export type Lookup<T> = { status: "found"; value: T; index: string } | { status: "not-found" } | { status: "missing" };

interface IndexEndpoint {
  simple: string;
  json: string | undefined;
}

export class IndexClient {
  readonly indexes: IndexEndpoint[];

  constructor(
    readonly fetcher: CachedFetcher,
    options: IndexOptions = {},
  ) {
    const primary = simpleRoot(options.indexUrl ?? DEFAULT_INDEX_URL);
    this.indexes = [
      { simple: primary, json: options.jsonApiUrl ? simpleRoot(options.jsonApiUrl) : jsonApiRoot(primary) },
      ...(options.extraIndexUrls ?? []).map((url) => ({ simple: simpleRoot(url), json: jsonApiRoot(url) })),
    ];
  }

  /** Files, upload times and (from a JSON API) the known vulnerabilities of one version. */
  async versionMetadata(name: string, version: string): Promise<Lookup<VersionDocument>> {
    let missing = false;
    for (const index of this.indexes) {
      if (!index.json) continue;
      const url = versionJsonUrl(index.json, name, version);
      const document = await this.fetcher.get(url);
      if (document.status === "ok") return { status: "found", value: readVersionJson(document.data, version, url), index: index.simple };
      missing ||= document.status === "missing";
    }
    const releases = await this.releases(name);
    if (releases.status === "found") {
      const files = releases.value.releases.get(version);
      if (files && files.length > 0) {
        return { status: "found", value: { name: releases.value.name, files, vulnerabilities: undefined, requiresDist: undefined }, index: releases.index };
      }
    }
    return missing || releases.status === "missing" ? { status: "missing" } : { status: "not-found" };
  }

  /**
   * Every release of a project with its files: the simple API of all indexes merged (the first
   * index wins a file name both serve), else the JSON API's `releases`.
   */
  async releases(name: string): Promise<Lookup<ProjectDocument>> {
    const pages = await Promise.all(
      this.indexes.map(async (index) => {
        const url = simpleProjectUrl(index.simple, name);
        return { index, url, document: await this.fetcher.get(url, SIMPLE_JSON) };
      }),
    );
    const documents: ProjectDocument[] = [];
    for (const page of pages) if (page.document.status === "ok") documents.push(readSimpleJson(page.document.data, name, page.url));
    const first = pages.find((page) => page.document.status === "ok");
    if (first) return { status: "found", value: mergeProjects(documents), index: first.index.simple };
    let missing = pages.some((page) => page.document.status === "missing");
    for (const index of this.indexes) {
      if (!index.json) continue;
      const url = projectJsonUrl(index.json, name);
      const document = await this.fetcher.get(url);
      if (document.status === "ok") return { status: "found", value: readProjectJson(document.data, url), index: index.simple };
      missing ||= document.status === "missing";
    }
    return missing ? { status: "missing" } : { status: "not-found" };
  }
}

function mergeProjects(documents: ProjectDocument[]): ProjectDocument {
  const releases = new Map<string, Map<string, ReleaseFile>>();
  for (const document of documents) {
    for (const [version, files] of document.releases) {
      const byName = releases.get(version) ?? new Map<string, ReleaseFile>();
      for (const file of files) if (!byName.has(file.filename)) byName.set(file.filename, file);
      releases.set(version, byName);
    }
  }
  return {
    name: documents.find((document) => document.name !== undefined)?.name,
    releases: new Map([...releases].map(([version, files]) => [version, [...files.values()]])),
  };
}

export function createFetcher(options: CacheOptions & HttpOptions = {}): CachedFetcher {
  const cache = options.noCache ? undefined : new MetadataCache(resolveCacheDir({ cacheDir: options.cacheDir, env: options.env }));
  return new CachedFetcher({ http: new HttpClient(options), cache, offline: options.offline ?? false, now: options.cacheClock });
}
