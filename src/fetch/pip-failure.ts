/**
 * Whose fault a failed `pip download` is, from pip's output and a look at the index: the index's
 * (a server error, a page that is not an index page, a broken or altered download: exit 3, naming
 * the host and what it answered), the input's (a file whose hash differs from the user's pin:
 * exit 3 too, naming the user's file:line), or pip's message as it is (exit 2) when neither shows.
 */
import { type PipcanaryError, formatOrigin, IndexAnswerError, IndexUnreachableError, ScanFailedError } from "../core/errors.ts";
import type { RequirementSet } from "../core/requirements.ts";
import { normalizeName } from "../core/names.ts";
import { proxyFor } from "../index/proxy.ts";
import type { EgressAttempt } from "./egress-proxy.ts";
import { DEFAULT_INDEX_URL } from "../index/urls.ts";
import { requirementOnLine } from "./requirements-file.ts";

export interface FetchFailure {
  /** The end of pip's output. */
  output: string;
  set: RequirementSet;
  /** The requirements file pipcanary wrote for pip: its line numbers are the set's requirements. */
  requirementsPath: string;
  attempts: readonly EgressAttempt[];
  /** "the requirements", "the build requirements of the sdists". */
  what: string;
}

/** pip's own Accept header for simple index pages. */
const SIMPLE_ACCEPT = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01";
const PROBE_TIMEOUT_MS = 15_000;
const SHOWN_LINES = 15;

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** `host:port` of a URL, with the scheme's default port, as the egress proxy records destinations. */
function destination(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || (parsed.protocol === "https:" ? "443" : "80")}`;
  } catch {
    return undefined;
  }
}

function fileName(url: string): string {
  return decodeURIComponent(url.split(/[?#]/)[0]?.split("/").pop() ?? url);
}

interface HashMismatch {
  name: string;
  url: string;
  /** The requirements-file line pip names, when the requirement came from pipcanary's file. */
  line: number | undefined;
  algorithm: string;
  expected: string[];
  got: string;
}

/**
 * pip's "THESE PACKAGES DO NOT MATCH THE HASHES" block:
 *     plain from http://…/plain-1.0-py3-none-any.whl (from -r /tmp/…/requirements.txt (line 1)):
 *         Expected sha256 7ebf…
 *                  or     91c2…
 *              Got        4eb9…
 */
function hashMismatches(output: string, requirementsPath: string): HashMismatch[] {
  const found: HashMismatch[] = [];
  const lines = output.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const head = /^\s+(\S+) from (\S+)(?: \(from (.*)\))?:$/.exec(lines[i] ?? "");
    const expected = /^\s+Expected (\w+) ([0-9a-f]+)$/.exec(lines[i + 1] ?? "");
    if (!head || !expected) continue;
    const mismatch: HashMismatch = { name: head[1] ?? "", url: head[2] ?? "", line: undefined, algorithm: expected[1] ?? "", expected: [expected[2] ?? ""], got: "" };
    const from = head[3] ?? "";
    const line = from.endsWith(")") && from.includes(`-r ${requirementsPath} (line `) ? /\(line (\d+)\)$/.exec(from)?.[1] : undefined;
    mismatch.line = line === undefined ? undefined : Number(line);
    for (i += 2; i < lines.length; i++) {
      const more = /^\s+or\s+([0-9a-f]+)$/.exec(lines[i] ?? "");
      const got = /^\s+Got\s+([0-9a-f]+)$/.exec(lines[i] ?? "");
      if (more) mismatch.expected.push(more[1] ?? "");
      else {
        if (got) mismatch.got = got[1] ?? "";
        break;
      }
    }
    found.push(mismatch);
  }
  return found;
}

function hashMismatchError(mismatch: HashMismatch, failure: FetchFailure): PipcanaryError {
  const requirement = mismatch.line === undefined ? undefined : requirementOnLine(failure.set, mismatch.line);
  const file = fileName(mismatch.url);
  const got = `${mismatch.algorithm}:${mismatch.got}`;
  const pinned = requirement?.hashes.some((hash) => mismatch.expected.some((expected) => hash === `${mismatch.algorithm}:${expected}`));
  if (requirement && pinned) {
    return new IndexAnswerError(
      `${formatOrigin(requirement.origin)}: ${file} from ${hostOf(mismatch.url)} does not match the hash pinned for ${requirement.name} (got ${got})`,
      "if you changed the pin on purpose, update its --hash (pip hash FILE, or pip-compile --generate-hashes); if not, the index now serves a different file than the one you pinned: find out why before trusting it",
    );
  }
  return new IndexAnswerError(
    `the download of ${file} from ${hostOf(mismatch.url)} was cut short or altered: its ${mismatch.algorithm} is not the one the index lists for it (got ${got})`,
    `run the scan again; if it keeps failing, the index at ${hostOf(mismatch.url)} or a proxy on the way serves a broken file: tell its operator`,
  );
}

/** A status pip gave up on: retried 5xx (`too many 500 error responses`) or a plain `HTTP error 502 while getting URL`. */
function httpStatusError(output: string, refused: ReadonlySet<string>): PipcanaryError | undefined {
  const retried = /Max retries exceeded with url: (\S+) \(Caused by ResponseError\('too many (\d{3}) error responses'\)\)/.exec(output);
  const plain = /HTTP error (\d{3}) while getting (\S+)/.exec(output);
  const [url, status] = retried ? [retried[1] ?? "", retried[2] ?? ""] : plain ? [plain[2] ?? "", plain[1] ?? ""] : [];
  // The egress proxy's own 403 for a host that is not an index is explained by the refusal.
  if (url === undefined || status === undefined || refused.has(destination(url) ?? "")) return undefined;
  const host = /^https?:/.test(url) ? hostOf(url) : (/HTTPSConnectionPool\(host='([^']+)', port=(\d+)\)/.exec(output)?.slice(1, 3).join(":") ?? "the index");
  return new IndexAnswerError(
    `${host} answered HTTP ${status} for ${fileName(url)}${retried ? ", also when pip asked again" : ""}`,
    Number(status) >= 500 ? `the index has a problem on its side: try again later, or use another index (--index-url)` : `check that the index allows this download (credentials, --index-url)`,
  );
}

/** A download the connection dropped before its end (`Connection broken: IncompleteRead(…)`). */
function brokenDownloadError(output: string): PipcanaryError | undefined {
  const broken = /Connection broken: ([^\n'"]*)/.exec(output);
  if (!broken) return undefined;
  const downloading = [...output.matchAll(/^\s*Downloading (\S+)/gm)].pop()?.[1];
  return new IndexAnswerError(
    `the download${downloading ? ` of ${fileName(downloading)} from ${hostOf(downloading)}` : ""} broke off: ${broken[1]?.trim() ?? ""}`,
    "run the scan again; if it keeps failing, the index or a proxy on the way drops the connection: tell its operator",
  );
}

/** What an index page that pip found no versions on really answered, when that is the index's fault. */
async function probeProjectPage(indexUrl: string, name: string): Promise<PipcanaryError | undefined> {
  const root = indexUrl.endsWith("/") ? indexUrl : `${indexUrl}/`;
  const url = `${root}${encodeURIComponent(normalizeName(name))}/`;
  let response: Response;
  let body: string;
  try {
    const proxy = proxyFor(url);
    response = await fetch(url, { headers: { Accept: SIMPLE_ACCEPT }, signal: AbortSignal.timeout(PROBE_TIMEOUT_MS), redirect: "follow", ...(proxy ? { proxy } : {}) });
    body = await response.text();
  } catch (error) {
    return new IndexUnreachableError(url, error instanceof Error ? error.message : String(error));
  }
  const host = hostOf(url);
  if (response.status === 404 || response.status === 410) return undefined;
  if (response.status >= 500) {
    return new IndexAnswerError(`${host} answered HTTP ${response.status} for the index page of ${name} (${url})`, "the index has a problem on its side: try again later, or use another index (--index-url)");
  }
  if (response.status >= 400) {
    return new IndexAnswerError(`${host} answered HTTP ${response.status} for the index page of ${name} (${url})`, "check that the index lets you read it (credentials in the URL or netrc) and that --index-url is right");
  }
  const type = (response.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  const notAnIndex = (what: string) =>
    new IndexAnswerError(`${host} answered the index page of ${name} (${url}) with ${what}, not a package index page`, `check --index-url: it must be a PEP 503 simple index, such as https://pypi.org/simple`);
  if (type === "application/vnd.pypi.simple.v1+json") {
    try {
      const files: unknown = (JSON.parse(body) as { files?: unknown }).files;
      return Array.isArray(files) ? undefined : notAnIndex("JSON without a list of files");
    } catch {
      return notAnIndex("malformed JSON");
    }
  }
  if (type === "text/html" || type === "application/vnd.pypi.simple.v1+html") {
    return /<a\s[^>]*href=/i.test(body) ? undefined : notAnIndex("an HTML page that links no files");
  }
  return notAnIndex(`Content-Type ${type || "(none)"}`);
}

/** The index pages of the requirements pip found no version of at all, on every configured http(s) index. */
async function probeMissingProjects(output: string, set: RequirementSet): Promise<PipcanaryError | undefined> {
  const names = [...output.matchAll(/Could not find a version that satisfies the requirement (\S+) \(from versions: none\)/g)].map((match) => (match[1] ?? "").replace(/[[<>=!~;].*$/, ""));
  if (names.length === 0) return undefined;
  const indexes = [set.index.indexUrl ?? DEFAULT_INDEX_URL, ...set.index.extraIndexUrls].filter((url) => /^https?:\/\//.test(url));
  const answers = await Promise.all([...new Set(names)].flatMap((name) => indexes.map((index) => probeProjectPage(index, name))));
  return answers.find((answer) => answer !== undefined);
}

/** The error that explains a failed `pip download`. */
export async function fetchFailureError(failure: FetchFailure): Promise<PipcanaryError> {
  const { output, attempts } = failure;
  const unreachable = attempts.find((attempt) => attempt.allowed && attempt.upstreamError !== undefined);
  if (unreachable) return new IndexUnreachableError(`${unreachable.host}:${unreachable.port}`, unreachable.upstreamError ?? "");
  const [mismatch] = hashMismatches(output, failure.requirementsPath);
  if (mismatch) return hashMismatchError(mismatch, failure);
  const refused = [...new Set(attempts.filter((attempt) => !attempt.allowed).map((attempt) => `${attempt.host}:${attempt.port}`))];
  const indexFault = httpStatusError(output, new Set(refused)) ?? brokenDownloadError(output) ?? (await probeMissingProjects(output, failure.set));
  if (indexFault) return indexFault;
  const tail = output.trim().split("\n").slice(-SHOWN_LINES).join("\n");
  const onlyBinary = failure.set.index.onlyBinary;
  const hint =
    refused.length > 0
      ? `pip was refused ${refused.join(", ")}, which is not an index or find-links host; add it as an extra index (--extra-index-url) or find-links location if you trust it`
      : onlyBinary.length > 0 && tail.includes("No matching distribution")
        ? `--only-binary ${onlyBinary.join(",")} refuses source distributions, and a requirement may have no wheel here; pin a version that ships a wheel, or drop --only-binary to let the sandbox build the sdist`
        : "check the requirement names, versions and index options";
  return new ScanFailedError(`pip could not download ${failure.what}:\n${tail}`, hint);
}
