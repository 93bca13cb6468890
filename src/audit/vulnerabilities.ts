import type { CachedFetcher } from "../index/fetcher.ts";
import type { HttpClient } from "../index/http.ts";
import type { IndexClient } from "../index/client.ts";
import { asOsvRecord, byPublication, fixedVersionsFor, isAffected, type OsvRecord } from "./osv.ts";
import { OFFLINE_GAP } from "./report.ts";
import type { OsvDatabase } from "./vuln-db.ts";
import { isObject } from "../index/json.ts";

/**
 * Where known vulnerabilities come from: the PyPI JSON API (default), the OSV service
 * (`--vuln-service osv`), or an offline OSV export (`--vuln-db PATH`). All answer the same
 * question for a batch of (name, version) pairs.
 */

export interface KnownVulnerability {
  id: string;
  aliases: string[];
  /** Versions that fix it, in the source's order. */
  fixedIn: string[];
  summary: string | undefined;
}

export type VulnerabilityResult =
  | { status: "known"; vulnerabilities: KnownVulnerability[] }
  /** No data could be had; `reason` says why, for the report. */
  | { status: "missing"; reason: string };

export interface PackageVersion {
  name: string;
  version: string;
}

export interface VulnerabilitySource {
  /** One result per query, in the queries' order. */
  lookup(queries: readonly PackageVersion[]): Promise<VulnerabilityResult[]>;
}

/** The `vulnerabilities` of the PyPI JSON API for each version; withdrawn entries are skipped. */
export class PypiVulnerabilitySource implements VulnerabilitySource {
  constructor(private readonly index: IndexClient) {}

  lookup(queries: readonly PackageVersion[]): Promise<VulnerabilityResult[]> {
    return Promise.all(
      queries.map(async ({ name, version }): Promise<VulnerabilityResult> => {
        const found = await this.index.versionMetadata(name, version);
        if (found.status === "missing") return { status: "missing", reason: OFFLINE_GAP };
        if (found.status === "not-found") return { status: "missing", reason: "not found on any index" };
        const vulnerabilities = found.value.vulnerabilities;
        if (!vulnerabilities) return { status: "missing", reason: "the index has no JSON API with vulnerability data" };
        return {
          status: "known",
          vulnerabilities: vulnerabilities
            .filter((vulnerability) => !vulnerability.withdrawn)
            .map(({ id, aliases, fixedIn, summary }) => ({ id, aliases, fixedIn, summary })),
        };
      }),
    );
  }
}

export const DEFAULT_OSV_URL = "https://api.osv.dev";
/** OSV's documented limit of queries per querybatch request. */
const OSV_BATCH_SIZE = 1000;

/** OSV's /v1/querybatch for the ids, then /v1/vulns/{id} (cached) for aliases and fixed versions. */
export class OsvServiceSource implements VulnerabilitySource {
  private readonly base: string;

  constructor(
    private readonly http: HttpClient,
    private readonly fetcher: CachedFetcher,
    baseUrl: string = DEFAULT_OSV_URL,
  ) {
    this.base = baseUrl.replace(/\/+$/, "");
  }

  async lookup(queries: readonly PackageVersion[]): Promise<VulnerabilityResult[]> {
    if (this.fetcher.offline) {
      return queries.map(() => ({ status: "missing", reason: "the OSV service needs the network; use --vuln-db for offline data" }));
    }
    const hits: OsvHit[][] = [];
    for (let start = 0; start < queries.length; start += OSV_BATCH_SIZE) {
      hits.push(...(await this.queryBatch(queries.slice(start, start + OSV_BATCH_SIZE))));
    }
    return Promise.all(
      queries.map(async ({ name }, position): Promise<VulnerabilityResult> => {
        const records = await Promise.all((hits[position] ?? []).map((hit) => this.record(hit)));
        return { status: "known", vulnerabilities: known(records.filter((record): record is OsvRecord => record !== undefined), name) };
      }),
    );
  }

  /** The vulnerabilities of each query, following next_page_token until every query is done. */
  private async queryBatch(queries: readonly PackageVersion[]): Promise<OsvHit[][]> {
    const hits = queries.map((): OsvHit[] => []);
    let pending = queries.map((query, position) => ({ position, query, pageToken: undefined as string | undefined }));
    while (pending.length > 0) {
      const body = {
        queries: pending.map(({ query, pageToken }) => ({
          package: { name: query.name, ecosystem: "PyPI" },
          version: query.version,
          ...(pageToken ? { page_token: pageToken } : {}),
        })),
      };
      const answer = await this.http.postJson(`${this.base}/v1/querybatch`, body);
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
  private async record({ id, modified }: OsvHit): Promise<OsvRecord | undefined> {
    const isCurrent = (data: unknown) => modified !== undefined && asOsvRecord(data)?.modified === modified;
    const document = await this.fetcher.get(`${this.base}/v1/vulns/${encodeURIComponent(id)}`, "application/json", isCurrent);
    return document.status === "ok" ? asOsvRecord(document.data) : undefined;
  }
}

interface OsvHit {
  id: string;
  modified: string | undefined;
}

/** Records that still stand, oldest first, as this project's vulnerabilities. */
function known(records: readonly OsvRecord[], name: string): KnownVulnerability[] {
  return records
    .filter((record) => record.withdrawn === undefined)
    .sort(byPublication)
    .map((record) => ({ id: record.id, aliases: record.aliases ?? [], fixedIn: fixedVersionsFor(record, name), summary: record.summary }));
}


/** `--vuln-db PATH`: the affected ranges of a local OSV export, evaluated here. */
export class OsvDatabaseSource implements VulnerabilitySource {
  constructor(private readonly database: OsvDatabase) {}

  async lookup(queries: readonly PackageVersion[]): Promise<VulnerabilityResult[]> {
    return queries.map(({ name, version }) => ({
      status: "known",
      vulnerabilities: known(this.database.recordsFor(name).filter((record) => isAffected(record, name, version)), name),
    }));
  }
}

/** `--ignore-vuln`: drops vulnerabilities whose id or any alias matches, case-insensitively. */
export function withoutIgnored(vulnerabilities: readonly KnownVulnerability[], ignored: readonly string[]): KnownVulnerability[] {
  if (ignored.length === 0) return [...vulnerabilities];
  const set = new Set(ignored.map((id) => id.trim().toUpperCase()));
  return vulnerabilities.filter((vulnerability) => ![vulnerability.id, ...vulnerability.aliases].some((id) => set.has(id.toUpperCase())));
}
