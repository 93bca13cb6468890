import type { OsvRecord } from "../../src/audit/osv.ts";

/**
 * Contract of the fixture package index and package builders that every test uses.
 * Implemented by index-server.ts, wheel.ts and sdist.ts in this folder.
 */

/** A built distribution file, ready to serve. */
export interface BuiltFile {
  filename: string;
  content: Uint8Array;
  sha256: string;
}

export interface FixtureFile extends BuiltFile {
  /** ISO 8601 UTC upload time; omit to serve no upload time at all. */
  uploadTime?: string;
  /** true, or the yank reason. */
  yanked?: boolean | string;
  requiresPython?: string;
}

export interface FixtureVulnerability {
  id: string;
  aliases?: string[];
  fixedIn?: string[];
  summary?: string;
  /** Long description; PyPI's `details`. */
  details?: string;
  /** Defaults to `https://osv.dev/vulnerability/<id>` as PyPI serves it. */
  link?: string;
  withdrawn?: string;
}

export interface FixtureRelease {
  version: string;
  files: FixtureFile[];
  vulnerabilities?: FixtureVulnerability[];
  /** `info.requires_dist` of the JSON API, as the release's metadata declares it. */
  requiresDist?: string[];
}

export interface FixtureProject {
  name: string;
  releases: FixtureRelease[];
}

/** How a matching request fails; set per test with `server.fail(pathPrefix, mode)`. */
export type FailureMode =
  | { kind: "status"; status: number }
  | { kind: "delay"; ms: number }
  | { kind: "malformed-json" }
  /** 200 with an HTML page that is no index page (a portal or error page). */
  | { kind: "garbage-html" }
  | { kind: "truncated" };

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  status: number;
  /** The query string without `?`, when there was one. */
  query?: string;
}

export interface IndexServerOptions {
  /** OSV records the index's OSV API (`/v1/querybatch`, `/v1/vulns/{id}`) serves; see osv-endpoint.ts. */
  osvRecords?: OsvRecord[];
  /** `Cache-Control: max-age` of index pages and JSON answers, in seconds (default 600). */
  cacheMaxAge?: number;
  /** TCP port on 127.0.0.1; 0 or omitted for an ephemeral one (tests always use that). */
  port?: number;
}

export interface IndexServer {
  /** Base URL, `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** PEP 503/691 simple index root, `${url}/simple/`: pass it to pip's --index-url. */
  readonly simpleUrl: string;
  /** Every request served, in order. */
  readonly requests: RecordedRequest[];
  addProject(project: FixtureProject): void;
  /** Adds (or replaces, by id) a record of the OSV API at `url` (pipcanary's --osv-url). */
  addOsvRecord(record: OsvRecord): void;
  fail(pathPrefix: string, mode: FailureMode): void;
  clearFailures(): void;
  /** Latency added to every request (benchmarks). */
  setLatency(ms: number): void;
  stop(): Promise<void>;
}
