import { normalizeName } from "../../src/core/names.ts";
import type { OsvRecord } from "../../src/audit/osv.ts";

/**
 * The fixture index's stand-in for api.osv.dev. A query without a version gets every record that
 * names the project (what pipcanary's known-malware check asks); a query with one gets the records
 * that list that exact version string. Ranges are never evaluated here, so the endpoint cannot
 * share a range bug with the code under test.
 */
export class OsvEndpoint {
  private readonly records = new Map<string, OsvRecord>();

  constructor(records: readonly OsvRecord[] = []) {
    for (const record of records) this.add(record);
  }

  add(record: OsvRecord): void {
    this.records.set(record.id, record);
  }

  /** The JSON answer for `method path` with `body`, or undefined when the path is not OSV's. */
  answer(method: string, path: string, body: string): { status: number; json: unknown } | undefined {
    if (path === "/v1/querybatch") {
      if (method !== "POST") return { status: 405, json: { message: "POST only" } };
      const queries = readQueries(body);
      return { status: 200, json: { results: queries.map((query) => this.result(query)) } };
    }
    const match = /^\/v1\/vulns\/([^/]+)$/.exec(path);
    if (!match) return undefined;
    const record = this.records.get(decodeURIComponent(match[1] ?? ""));
    return record ? { status: 200, json: record } : { status: 404, json: { code: 5, message: "Bug not found." } };
  }

  private result(query: { name: string; version: string | undefined }): Record<string, unknown> {
    const name = normalizeName(query.name);
    const hits = [...this.records.values()].filter((record) =>
      (record.affected ?? []).some(
        (entry) =>
          entry.package?.ecosystem === "PyPI" &&
          normalizeName(entry.package.name ?? "") === name &&
          (query.version === undefined || (entry.versions ?? []).includes(query.version)),
      ),
    );
    return hits.length > 0 ? { vulns: hits.map((record) => ({ id: record.id, modified: record.modified })) } : {};
  }
}

function readQueries(body: string): Array<{ name: string; version: string | undefined }> {
  const parsed = JSON.parse(body) as { queries?: Array<{ package?: { name?: string; ecosystem?: string }; version?: string }> };
  return (parsed.queries ?? []).map((query) => ({
    name: query.package?.ecosystem === "PyPI" ? (query.package.name ?? "") : "",
    version: query.version,
  }));
}
