import type { IndexClient } from "../index/client.ts";
import { byPublication, fixedVersionsFor, isAffected, isMalwareId, type OsvRecord } from "./osv.ts";
import type { OsvApi } from "./osv-api.ts";
import { OFFLINE_GAP } from "./report.ts";
import type { OsvDatabase } from "./vuln-db.ts";

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
            .filter((vulnerability) => !vulnerability.withdrawn && !isMalwareId(vulnerability.id))
            .map(({ id, aliases, fixedIn, summary }) => ({ id, aliases, fixedIn, summary })),
        };
      }),
    );
  }
}

/** OSV's /v1/querybatch for the ids, then /v1/vulns/{id} (cached) for aliases and fixed versions. */
export class OsvServiceSource implements VulnerabilitySource {
  constructor(private readonly api: OsvApi) {}

  async lookup(queries: readonly PackageVersion[]): Promise<VulnerabilityResult[]> {
    if (this.api.fetcher.offline) {
      return queries.map(() => ({ status: "missing", reason: "the OSV service needs the network; use --vuln-db for offline data" }));
    }
    const hits = await this.api.query(queries);
    return Promise.all(
      queries.map(async ({ name }, position): Promise<VulnerabilityResult> => {
        const records = await Promise.all((hits[position] ?? []).map((hit) => this.api.record(hit)));
        return { status: "known", vulnerabilities: known(records.filter((record): record is OsvRecord => record !== undefined), name) };
      }),
    );
  }
}

/**
 * Records that still stand, oldest first, as this project's vulnerabilities. Known-malware
 * records are no vulnerability: the malware check reports them, and --ignore-vuln cannot drop them.
 */
function known(records: readonly OsvRecord[], name: string): KnownVulnerability[] {
  return records
    .filter((record) => record.withdrawn === undefined && !isMalwareId(record.id))
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
