import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createHash } from "node:crypto";
import { compare, explain } from "@renovatebot/pep440";
import { normalizeName } from "../../src/core/names.ts";
import { OsvEndpoint } from "./osv-endpoint.ts";
import type {
  FailureMode,
  FixtureFile,
  FixtureProject,
  FixtureRelease,
  FixtureVulnerability,
  IndexServer,
  IndexServerOptions,
  RecordedRequest,
} from "./types.ts";

/*
 * The server runs on node:http (which Bun implements) rather than Bun.serve because Bun.serve
 * rewrites Content-Length to the real body size, and the "truncated" failure mode must announce
 * more bytes than it sends and then close the connection, exactly like a dropped download.
 */

const SIMPLE_JSON = "application/vnd.pypi.simple.v1+json";
const SIMPLE_HTML = "application/vnd.pypi.simple.v1+html";
const SIMPLE_LATEST_JSON = "application/vnd.pypi.simple.latest+json";
const SIMPLE_LATEST_HTML = "application/vnd.pypi.simple.latest+html";
const API_VERSION = "1.1";

interface Reply {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array;
  /** Announce the full length but send only the first half, then close. */
  truncate?: boolean;
}

interface RequestInfo {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
}

export async function startIndexServer(
  projects: FixtureProject[] = [],
  options: IndexServerOptions = {},
): Promise<IndexServer> {
  const index = new FixtureIndex(options.cacheMaxAge ?? 600);
  const osv = new OsvEndpoint(options.osvRecords);
  for (const project of projects) index.addProject(project);
  const failures = new Map<string, FailureMode>();
  const requests: RecordedRequest[] = [];
  const pendingTimers = new Set<ReturnType<typeof setTimeout>>();
  let latencyMs = 0;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        pendingTimers.delete(timer);
        resolve();
      }, ms);
      pendingTimers.add(timer);
    });

  const failureFor = (path: string): FailureMode | undefined => {
    let best: string | undefined;
    for (const prefix of failures.keys()) {
      if (path.startsWith(prefix) && (best === undefined || prefix.length > best.length)) best = prefix;
    }
    return best === undefined ? undefined : failures.get(best);
  };

  const handle = async (incoming: IncomingMessage, outgoing: ServerResponse) => {
    const url = new URL(incoming.url ?? "/", "http://fixture.invalid");
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(incoming.headers)) {
      if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
    }
    const info: RequestInfo = { method: incoming.method ?? "GET", path: url.pathname, query: url.searchParams, headers };
    if (latencyMs > 0) await sleep(latencyMs);
    const failure = failureFor(info.path);
    if (failure?.kind === "delay") await sleep(failure.ms);
    const osvAnswer = osv.answer(info.method, info.path, info.method === "POST" ? await readBody(incoming) : "");
    const routed = osvAnswer ? jsonReply(osvAnswer.status, osvAnswer.json) : index.route(info, baseUrl);
    const reply = applyFailure(failure, routed);
    const recorded: RecordedRequest = { method: info.method, path: info.path, headers, status: reply.status };
    if (url.search) recorded.query = url.search.slice(1);
    requests.push(recorded);
    send(outgoing, reply, info.method === "HEAD");
  };

  const server = createServer((incoming, outgoing) => {
    handle(incoming, outgoing).catch((error: unknown) => {
      outgoing.statusCode = 500;
      outgoing.end(`fixture index error: ${String(error)}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;

  return {
    url: baseUrl,
    simpleUrl: `${baseUrl}/simple/`,
    requests,
    addProject: (project) => index.addProject(project),
    addOsvRecord: (record) => osv.add(record),
    fail: (pathPrefix, mode) => void failures.set(pathPrefix, mode),
    clearFailures: () => failures.clear(),
    setLatency: (ms) => {
      latencyMs = ms;
    },
    stop: async () => {
      for (const timer of pendingTimers) clearTimeout(timer);
      pendingTimers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function applyFailure(failure: FailureMode | undefined, reply: Reply): Reply {
  switch (failure?.kind) {
    case undefined:
    case "delay":
      return reply;
    case "status":
      return textReply(failure.status, `fixture failure: status ${failure.status}\n`);
    case "malformed-json":
      return {
        status: 200,
        headers: { "content-type": "application/json" },
        body: new TextEncoder().encode('{"meta": {"api-version": "1.1"}, "files": [{"filename": '),
      };
    case "garbage-html":
      return { status: 200, headers: { "content-type": "text/html; charset=utf-8" }, body: new TextEncoder().encode("<html><body><h1>Welcome</h1><p>Please sign in to continue.</p></body></html>\n") };
    case "truncated":
      return { ...reply, truncate: true };
  }
}

function send(outgoing: ServerResponse, reply: Reply, headOnly: boolean): void {
  outgoing.writeHead(reply.status, { ...reply.headers, "content-length": String(reply.body.length) });
  if (headOnly || reply.body.length === 0) {
    outgoing.end();
    return;
  }
  if (reply.truncate) {
    const part = reply.body.subarray(0, Math.floor(reply.body.length / 2));
    outgoing.write(part, () => outgoing.socket?.destroy());
    return;
  }
  outgoing.end(reply.body);
}

async function readBody(incoming: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString("utf8");
}

function jsonReply(status: number, value: unknown): Reply {
  return { status, headers: { "content-type": "application/json" }, body: new TextEncoder().encode(JSON.stringify(value)) };
}

function textReply(status: number, text: string): Reply {
  return { status, headers: { "content-type": "text/plain; charset=utf-8" }, body: new TextEncoder().encode(text) };
}

const notFound = (what: string) => textReply(404, `Not Found: ${what}\n`);

/** The served data: projects by normalised name and files by file name. */
class FixtureIndex {
  private readonly projects = new Map<string, FixtureProject>();
  private readonly files = new Map<string, FixtureFile>();

  constructor(private readonly cacheMaxAge: number) {}

  addProject(project: FixtureProject): void {
    for (const release of project.releases) {
      for (const file of release.files) {
        if (file.uploadTime !== undefined && Number.isNaN(Date.parse(file.uploadTime))) {
          throw new Error(`fixture ${file.filename}: uploadTime "${file.uploadTime}" is not ISO 8601`);
        }
      }
    }
    const previous = this.projects.get(normalizeName(project.name));
    for (const release of previous?.releases ?? []) for (const file of release.files) this.files.delete(file.filename);
    this.projects.set(normalizeName(project.name), project);
    for (const release of project.releases) for (const file of release.files) this.files.set(file.filename, file);
  }

  route(request: RequestInfo, baseUrl: string): Reply {
    if (request.method !== "GET" && request.method !== "HEAD") return textReply(405, "Method Not Allowed\n");
    const segments = request.path.split("/").filter(Boolean).map(decodeURIComponent);
    const [root, first, second, third] = segments;
    if (root === "simple" && segments.length === 1) return this.simpleRoot(request);
    if (root === "simple" && first !== undefined && segments.length === 2) return this.simpleProject(request, first, baseUrl);
    if (root === "files" && first !== undefined && segments.length === 2) return this.file(first);
    if (root === "pypi" && first !== undefined && second === "json" && segments.length === 3) {
      return this.projectJson(request, first, baseUrl);
    }
    if (root === "pypi" && first !== undefined && second !== undefined && third === "json" && segments.length === 4) {
      return this.releaseJson(request, first, second, baseUrl);
    }
    return notFound(request.path);
  }

  private simpleRoot(request: RequestInfo): Reply {
    const projects = [...this.projects.values()].sort((a, b) => normalizeName(a.name).localeCompare(normalizeName(b.name)));
    const format = negotiate(request);
    if (format === undefined) return textReply(406, "Not Acceptable\n");
    if (format === SIMPLE_JSON) {
      return this.cached(request, SIMPLE_JSON, {
        meta: { "api-version": API_VERSION },
        projects: projects.map((project) => ({ name: project.name })),
      });
    }
    const anchors = projects.map(
      (project) => `    <a href="${escapeHtml(normalizeName(project.name))}/">${escapeHtml(project.name)}</a><br/>`,
    );
    return this.cachedText(request, format, htmlPage("Simple index", anchors));
  }

  private simpleProject(request: RequestInfo, name: string, baseUrl: string): Reply {
    const project = this.projects.get(normalizeName(name));
    if (!project) return notFound(`project ${name}`);
    const format = negotiate(request);
    if (format === undefined) return textReply(406, "Not Acceptable\n");
    const releases = sortReleases(project.releases);
    const files = releases.flatMap((release) => release.files);
    if (format === SIMPLE_JSON) {
      return this.cached(request, SIMPLE_JSON, {
        meta: { "api-version": API_VERSION },
        name: normalizeName(project.name),
        files: files.map((file) => simpleJsonFile(file, baseUrl)),
        versions: releases.map((release) => release.version),
      });
    }
    const anchors = files.map((file) => {
      let attributes = `href="../../files/${encodeURIComponent(file.filename)}#sha256=${file.sha256}"`;
      if (file.requiresPython) attributes += ` data-requires-python="${escapeHtml(file.requiresPython)}"`;
      if (file.yanked) attributes += ` data-yanked="${escapeHtml(yankReason(file) ?? "")}"`;
      return `    <a ${attributes}>${escapeHtml(file.filename)}</a><br/>`;
    });
    return this.cachedText(request, format, htmlPage(`Links for ${project.name}`, anchors));
  }

  private file(filename: string): Reply {
    const file = this.files.get(filename);
    if (!file) return notFound(`file ${filename}`);
    return { status: 200, headers: { "content-type": "application/octet-stream" }, body: file.content };
  }

  private projectJson(request: RequestInfo, name: string, baseUrl: string): Reply {
    const project = this.projects.get(normalizeName(name));
    if (!project) return notFound(`project ${name}`);
    const releases = sortReleases(project.releases);
    const latest = latestRelease(releases);
    const releaseMap: Record<string, PypiFile[]> = {};
    for (const release of releases) releaseMap[release.version] = release.files.map((file) => pypiFile(file, baseUrl));
    return this.cached(request, "application/json", {
      info: pypiInfo(project, latest),
      last_serial: 1,
      releases: releaseMap,
      urls: latest ? latest.files.map((file) => pypiFile(file, baseUrl)) : [],
      vulnerabilities: (latest?.vulnerabilities ?? []).map(pypiVulnerability),
    });
  }

  private releaseJson(request: RequestInfo, name: string, version: string, baseUrl: string): Reply {
    const project = this.projects.get(normalizeName(name));
    if (!project) return notFound(`project ${name}`);
    const release = project.releases.find((candidate) => sameVersion(candidate.version, version));
    if (!release) return notFound(`${name} ${version}`);
    return this.cached(request, "application/json", {
      info: pypiInfo(project, release),
      last_serial: 1,
      urls: release.files.map((file) => pypiFile(file, baseUrl)),
      vulnerabilities: (release.vulnerabilities ?? []).map(pypiVulnerability),
    });
  }

  private cached(request: RequestInfo, contentType: string, value: unknown): Reply {
    return this.cachedText(request, contentType, JSON.stringify(value));
  }

  /** Index answers carry an ETag and max-age like PyPI's, and a matching If-None-Match gets 304. */
  private cachedText(request: RequestInfo, contentType: string, text: string): Reply {
    const body = new TextEncoder().encode(text);
    const etag = `"${createHash("sha256").update(body).digest("hex").slice(0, 32)}"`;
    const headers = { "content-type": contentType, etag, "cache-control": `max-age=${this.cacheMaxAge}, public` };
    const ifNoneMatch = request.headers["if-none-match"];
    if (ifNoneMatch && ifNoneMatch.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag || tag.trim() === "*")) {
      return { status: 304, headers: { etag, "cache-control": headers["cache-control"] }, body: new Uint8Array() };
    }
    return { status: 200, headers, body };
  }
}

/** PEP 691 content negotiation; `?format=` wins, no Accept header means HTML. */
function negotiate(request: RequestInfo): string | undefined {
  const accept = request.query.get("format") ?? request.headers["accept"];
  if (!accept) return "text/html";
  let best: { type: string; q: number } | undefined;
  for (const part of accept.split(",")) {
    const [rawType, ...params] = part.split(";").map((piece) => piece.trim());
    const qParam = params.find((param) => param.startsWith("q="));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    const type = servedType(rawType?.toLowerCase() ?? "");
    if (type !== undefined && q > 0 && (best === undefined || q > best.q)) best = { type, q };
  }
  return best?.type;
}

function servedType(requested: string): string | undefined {
  switch (requested) {
    case SIMPLE_JSON:
    case SIMPLE_LATEST_JSON:
      return SIMPLE_JSON;
    case SIMPLE_HTML:
    case SIMPLE_LATEST_HTML:
      return SIMPLE_HTML;
    case "text/html":
    case "text/*":
    case "*/*":
      return "text/html";
    default:
      return undefined;
  }
}

function htmlPage(title: string, anchors: string[]): string {
  return [
    "<!DOCTYPE html>",
    "<html>",
    "  <head>",
    `    <meta name="pypi:repository-version" content="${API_VERSION}">`,
    `    <title>${escapeHtml(title)}</title>`,
    "  </head>",
    "  <body>",
    `    <h1>${escapeHtml(title)}</h1>`,
    ...anchors,
    "  </body>",
    "</html>",
    "",
  ].join("\n");
}

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

function yankReason(file: FixtureFile): string | undefined {
  return typeof file.yanked === "string" ? file.yanked : undefined;
}

function fileUrl(file: FixtureFile, baseUrl: string): string {
  return `${baseUrl}/files/${encodeURIComponent(file.filename)}`;
}

function simpleJsonFile(file: FixtureFile, baseUrl: string): Record<string, unknown> {
  const entry: Record<string, unknown> = {
    filename: file.filename,
    url: fileUrl(file, baseUrl),
    hashes: { sha256: file.sha256 },
    "requires-python": file.requiresPython ?? null,
    yanked: typeof file.yanked === "string" && file.yanked !== "" ? file.yanked : Boolean(file.yanked),
    size: file.content.length,
  };
  if (file.uploadTime !== undefined) entry["upload-time"] = isoMicros(file.uploadTime);
  return entry;
}

type PypiFile = Record<string, unknown>;

function pypiFile(file: FixtureFile, baseUrl: string): PypiFile {
  const isWheel = file.filename.endsWith(".whl");
  const md5 = createHash("md5").update(file.content).digest("hex");
  const entry: PypiFile = {
    comment_text: "",
    digests: { md5, sha256: file.sha256 },
    downloads: -1,
    filename: file.filename,
    has_sig: false,
    md5_digest: md5,
    packagetype: isWheel ? "bdist_wheel" : "sdist",
    python_version: isWheel ? (file.filename.split("-").at(-3) ?? "py3") : "source",
    requires_python: file.requiresPython ?? null,
    size: file.content.length,
    url: fileUrl(file, baseUrl),
    yanked: Boolean(file.yanked),
    yanked_reason: yankReason(file) ?? null,
  };
  if (file.uploadTime !== undefined) {
    entry["upload_time"] = new Date(file.uploadTime).toISOString().slice(0, 19);
    entry["upload_time_iso_8601"] = isoMicros(file.uploadTime);
  }
  return entry;
}

/** PyPI writes upload times with microseconds and a Z: `2024-01-02T03:04:05.123000Z`. */
function isoMicros(time: string): string {
  return new Date(time).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

function pypiVulnerability(vulnerability: FixtureVulnerability): Record<string, unknown> {
  return {
    aliases: vulnerability.aliases ?? [],
    details: vulnerability.details ?? vulnerability.summary ?? "",
    fixed_in: vulnerability.fixedIn ?? [],
    id: vulnerability.id,
    link: vulnerability.link ?? `https://osv.dev/vulnerability/${vulnerability.id}`,
    source: "osv",
    summary: vulnerability.summary ?? null,
    withdrawn: vulnerability.withdrawn ?? null,
  };
}

function pypiInfo(project: FixtureProject, release: FixtureRelease | undefined): Record<string, unknown> {
  const requiresPython = release?.files.find((file) => file.requiresPython)?.requiresPython ?? null;
  const yanked = release !== undefined && releaseYanked(release);
  return {
    name: project.name,
    version: release?.version ?? null,
    summary: `Fixture package ${project.name}`,
    requires_python: requiresPython,
    requires_dist: release?.requiresDist ?? null,
    yanked,
    yanked_reason: yanked ? (release?.files.map(yankReason).find((reason) => reason) ?? null) : null,
  };
}

/** PyPI yanks whole releases: a release counts as yanked when every file is. */
function releaseYanked(release: FixtureRelease): boolean {
  return release.files.length > 0 && release.files.every((file) => Boolean(file.yanked));
}

function sortReleases(releases: FixtureRelease[]): FixtureRelease[] {
  return [...releases].sort((a, b) => compareVersions(a.version, b.version));
}

function compareVersions(a: string, b: string): number {
  if (explain(a) && explain(b)) return compare(a, b);
  return a.localeCompare(b);
}

function sameVersion(a: string, b: string): boolean {
  return explain(a) && explain(b) ? compare(a, b) === 0 : a === b;
}

/** What PyPI shows as the project's version: the newest final release that is not yanked. */
function latestRelease(sorted: FixtureRelease[]): FixtureRelease | undefined {
  const newestFirst = [...sorted].reverse();
  return (
    newestFirst.find((release) => !releaseYanked(release) && !explain(release.version)?.is_prerelease) ??
    newestFirst.find((release) => !releaseYanked(release)) ??
    newestFirst[0]
  );
}
