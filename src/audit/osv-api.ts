import { IndexUnreachableError } from "../core/errors.ts";
import type { CachedFetcher } from "../index/fetcher.ts";
import type { HttpClient } from "../index/http.ts";
import { isObject } from "../core/json.ts";
import { asOsvRecord, type OsvRecord } from "./osv.ts";

export const DEFAULT_OSV_URL = "https://api.osv.dev";
/** OSV's documented limit of queries per querybatch request. */
const OSV_BATCH_SIZE = 1000;
const OSV_UNREACHABLE_HINT =
  "every scan checks OSV for known malware: point --osv-url at a reachable OSV API, or use an offline copy with --malware-db PATH (or --vuln-db), or --offline with a warm cache";

/** A PyPI project, and optionally one version of it (without, OSV answers for every version). */
export interface OsvQuery {
  name: string;
  version?: string | undefined;
}

export interface OsvHit {
  id: string;
  modified: string | undefined;
}

/**
 * The OSV service's two calls pipcanary makes: /v1/querybatch for the ids that affect each query,
 * and /v1/vulns/{id} (through the metadata cache) for a record.
 */
export class OsvApi {
  readonly base: string;

  constructor(
    private readonly http: HttpClient,
    readonly fetcher: CachedFetcher,
    baseUrl: string = DEFAULT_OSV_URL,
  ) {
    this.base = baseUrl.replace(/\/+$/, "");
  }

  /** The ids of each query, in the queries' order, in batches of OSV's limit. */
  async query(queries: readonly OsvQuery[]): Promise<OsvHit[][]> {
    const hits: OsvHit[][] = [];
    for (let start = 0; start < queries.length; start += OSV_BATCH_SIZE) {
      hits.push(...(await this.queryBatch(queries.slice(start, start + OSV_BATCH_SIZE))));
    }
    return hits;
  }

  /** The check of every scan asks OSV, so an unreachable OSV gets a hint about OSV, not the index. */
  private async post(url: string, body: unknown): Promise<unknown> {
    try {
      return await this.http.postJson(url, body);
    } catch (error) {
      if (!(error instanceof IndexUnreachableError)) throw error;
      throw new IndexUnreachableError(error.url, error.reason, OSV_UNREACHABLE_HINT);
    }
  }

  /** The hits of each query, following next_page_token until every query is done. */
  private async queryBatch(queries: readonly OsvQuery[]): Promise<OsvHit[][]> {
    const hits = queries.map((): OsvHit[] => []);
    let pending = queries.map((query, position) => ({ position, query, pageToken: undefined as string | undefined }));
    while (pending.length > 0) {
      const body = {
        queries: pending.map(({ query, pageToken }) => ({
          package: { name: query.name, ecosystem: "PyPI" },
          ...(query.version !== undefined ? { version: query.version } : {}),
          ...(pageToken ? { page_token: pageToken } : {}),
        })),
      };
      const answer = await this.post(`${this.base}/v1/querybatch`, body);
      const results = isObject(answer) && Array.isArray(answer.results) ? answer.results : [];
      const next: typeof pending = [];
      pending.forEach((entry, slot) => {
        const result: unknown = results[slot];
        if (!isObject(result)) return;
        const found = hits[entry.position] ?? [];
        for (const vuln of Array.isArray(result.vulns) ? result.vulns : []) {
          if (!isObject(vuln) || typeof vuln.id !== "string" || found.some((hit) => hit.id === vuln.id)) continue;
          found.push({ id: vuln.id, modified: typeof vuln.modified === "string" ? vuln.modified : undefined });
        }
        if (typeof result.next_page_token === "string" && result.next_page_token !== "") next.push({ ...entry, pageToken: result.next_page_token });
      });
      pending = next;
    }
    return hits;
  }

  /** A cached record whose `modified` matches the batch answer is current, whatever its age. */
  async record({ id, modified }: OsvHit): Promise<OsvRecord | undefined> {
    const isCurrent = (data: unknown) => modified !== undefined && asOsvRecord(data)?.modified === modified;
    const document = await this.fetcher.get(`${this.base}/v1/vulns/${encodeURIComponent(id)}`, "application/json", isCurrent);
    return document.status === "ok" ? asOsvRecord(document.data) : undefined;
  }
}
