import { ofetch, type FetchResponse } from "ofetch";
import { IndexUnreachableError, errorMessage } from "../core/errors.ts";
import { createLimiter, type Limiter } from "./pool.ts";
import { proxyFor, type ProxyEnv } from "./proxy.ts";

/**
 * JSON over HTTP for the index and vulnerability services: a timeout that covers the body too,
 * bounded retries with exponential backoff on 5xx, 429, network errors, timeouts, malformed or
 * truncated bodies, and a shared bound on requests in flight. A 404 is an answer ("not here"),
 * never an error; anything that stays broken becomes IndexUnreachableError (exit 3).
 */

export interface HttpOptions {
  /** Per attempt, headers and body together. Default 30 s. */
  timeoutMs?: number;
  /** Retries after the first attempt. Default 3. */
  retries?: number;
  /** First backoff delay; doubles per retry, with jitter, capped by retryMaxDelayMs. Default 250 ms. */
  retryBaseDelayMs?: number;
  retryMaxDelayMs?: number;
  /** Requests in flight at once. Default 16. */
  concurrency?: number;
  /** Where the proxy variables are read from. Default process.env. */
  env?: ProxyEnv;
  userAgent?: string;
  /** After this long without a complete answer, and as often again, the wait is announced (onSlowRequest). Default 10 s. */
  slowAfterMs?: number;
}

const DEFAULT_CONCURRENCY = 16;
const SLOW_REQUEST_MS = 10_000;

type SlowRequestListener = (what: string) => void;
const slowRequestListeners = new Set<SlowRequestListener>();

/** Hears "waiting for <host> …" while a request goes unanswered; returns the unsubscribe function. */
export function onSlowRequest(listener: SlowRequestListener): () => void {
  slowRequestListeners.add(listener);
  return () => slowRequestListeners.delete(listener);
}

/** Announces the wait for `url` every `afterMs` until the returned function is called. */
function announceWhileWaiting(method: string, url: string, afterMs: number): () => void {
  const startedAt = Date.now();
  const timer = setInterval(() => {
    const what = `waiting for ${new URL(url).host}: no complete answer to ${method} ${url} after ${Math.round((Date.now() - startedAt) / 1000)} s`;
    for (const listener of slowRequestListeners) listener(what);
  }, afterMs);
  timer.unref?.();
  return () => clearInterval(timer);
}

export interface ResponseMeta {
  etag: string | undefined;
  cacheControl: string | undefined;
  /** The Age header, in seconds (0 when absent). */
  ageSeconds: number;
}

export type JsonResult =
  | ({ status: "ok"; data: unknown } & ResponseMeta)
  | ({ status: "not-modified" } & ResponseMeta)
  | { status: "not-found" };

export interface GetOptions {
  accept?: string;
  /** Sends If-None-Match; a 304 answer becomes `not-modified`. */
  etag?: string | undefined;
}

/** A failure worth another attempt; the message names what went wrong. */
class RetryableError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number | undefined = undefined,
  ) {
    super(message);
  }
}

export class HttpClient {
  readonly limiter: Limiter;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly env: ProxyEnv;
  private readonly userAgent: string;
  private readonly slowAfterMs: number;

  constructor(options: HttpOptions = {}) {
    this.limiter = createLimiter(options.concurrency ?? DEFAULT_CONCURRENCY);
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.retries = options.retries ?? 3;
    this.baseDelayMs = options.retryBaseDelayMs ?? 250;
    this.maxDelayMs = options.retryMaxDelayMs ?? 4_000;
    this.env = options.env ?? process.env;
    this.userAgent = options.userAgent ?? "pipcanary";
    this.slowAfterMs = options.slowAfterMs ?? SLOW_REQUEST_MS;
  }

  /** GET a JSON document. */
  async getJson(url: string, options: GetOptions = {}): Promise<JsonResult> {
    const headers: Record<string, string> = { accept: options.accept ?? "application/json" };
    if (options.etag) headers["if-none-match"] = options.etag;
    return this.withRetries(url, () => this.attempt(url, "GET", headers, undefined, options.etag !== undefined));
  }

  /** POST a JSON body and read a JSON answer (OSV's querybatch). A 404 here is an error. */
  async postJson(url: string, body: unknown): Promise<unknown> {
    const headers = { accept: "application/json", "content-type": "application/json" };
    const result = await this.withRetries(url, () => this.attempt(url, "POST", headers, JSON.stringify(body), false));
    if (result.status === "ok") return result.data;
    throw new IndexUnreachableError(url, "HTTP 404 Not Found");
  }

  private async withRetries(url: string, attempt: () => Promise<JsonResult>): Promise<JsonResult> {
    for (let retry = 0; ; retry++) {
      try {
        return await this.limiter.run(attempt);
      } catch (error) {
        if (!(error instanceof RetryableError)) throw error;
        if (retry >= this.retries) {
          const attempts = retry + 1;
          throw new IndexUnreachableError(url, `${error.message} (${attempts} attempt${attempts === 1 ? "" : "s"})`);
        }
        await sleep(error.retryAfterMs ?? this.backoff(retry));
      }
    }
  }

  private backoff(retry: number): number {
    const ceiling = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** retry);
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }

  private async attempt(url: string, method: string, headers: Record<string, string>, body: string | undefined, conditional: boolean): Promise<JsonResult> {
    const signal = AbortSignal.timeout(this.timeoutMs);
    let response: FetchResponse<string>;
    let text: string;
    const stopAnnouncing = announceWhileWaiting(method, url, this.slowAfterMs);
    try {
      // Bun's fetch takes `proxy`; ofetch passes unknown options through to it.
      const init = {
        method,
        body,
        headers: { "user-agent": this.userAgent, ...headers },
        signal,
        retry: false as const,
        ignoreResponseError: true,
        responseType: "text" as const,
        proxy: proxyFor(url, this.env),
      };
      response = await ofetch.raw<string, "text">(url, init);
      text = typeof response._data === "string" ? response._data : "";
    } catch (error) {
      throw new RetryableError(describeFailure(error, signal, this.timeoutMs));
    } finally {
      stopAnnouncing();
    }
    const meta: ResponseMeta = {
      etag: response.headers.get("etag") ?? undefined,
      cacheControl: response.headers.get("cache-control") ?? undefined,
      ageSeconds: Math.max(0, Number(response.headers.get("age") ?? 0) || 0),
    };
    const status = response.status;
    if (status === 304 && conditional) return { status: "not-modified", ...meta };
    if (status === 404 || status === 410) return { status: "not-found" };
    if (status >= 500 || status === 429 || status === 408) {
      throw new RetryableError(`HTTP ${status} ${response.statusText}`.trim(), retryAfter(response.headers.get("retry-after"), this.maxDelayMs));
    }
    if (status < 200 || status >= 300) throw new IndexUnreachableError(url, `HTTP ${status} ${response.statusText}`.trim());
    // An index that only serves PEP 503 HTML has no JSON form of this document: not an error.
    if (/html/i.test(response.headers.get("content-type") ?? "")) return { status: "not-found" };
    const declared = Number(response.headers.get("content-length") ?? Number.NaN);
    if (Number.isFinite(declared) && !response.headers.get("content-encoding") && Buffer.byteLength(text) < declared) {
      throw new RetryableError(`truncated response: ${Buffer.byteLength(text)} of ${declared} bytes`);
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (error) {
      throw new RetryableError(`malformed JSON in the response: ${errorMessage(error)}`);
    }
    return { status: "ok", data, ...meta };
  }
}

function describeFailure(error: unknown, signal: AbortSignal, timeoutMs: number): string {
  if (signal.aborted) return `no complete response within ${timeoutMs / 1000} s`;
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = typeof cause === "object" && cause !== null && "code" in cause ? String(cause.code) : undefined;
  const message = errorMessage(cause)
    .replace(/^\[[A-Z]+\] "[^"]*": <no response> /, "")
    .replace(/ For more information, pass `verbose: true`.*$/, "");
  return code && !message.includes(code) ? `${message} (${code})` : message;
}

function retryAfter(header: string | null, maxMs: number): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  if (!Number.isFinite(seconds) || seconds < 0) return undefined;
  return Math.min(seconds * 1000, maxMs);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
