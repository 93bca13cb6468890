import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { IndexUnreachableError } from "../../src/core/errors.ts";
import { ExitCode } from "../../src/core/exit-codes.ts";
import { IndexClient, SIMPLE_JSON } from "../../src/index/client.ts";
import { CachedFetcher } from "../../src/index/fetcher.ts";
import { startIndexServer } from "../harness/index-server.ts";
import type { IndexServer } from "../harness/types.ts";
import { fakeFile, quickHttp, requestLog, waitForStatus, wheelRelease } from "./fixture-data.ts";

let primary: IndexServer;
let extra: IndexServer;

beforeAll(async () => {
  primary = await startIndexServer([
    {
      name: "Demo_Pkg",
      releases: [
        {
          ...wheelRelease("Demo_Pkg", "1.0", "2025-01-02T03:04:05Z"),
          vulnerabilities: [
            { id: "PYSEC-1", aliases: ["CVE-1"], fixedIn: ["1.1"] },
            { id: "GHSA-gone", fixedIn: ["1.1"], withdrawn: "2025-02-01T00:00:00Z" },
          ],
        },
        {
          version: "1.1",
          files: [
            fakeFile("demo_pkg-1.1-py3-none-any.whl", "2025-03-01T00:00:00Z"),
            fakeFile("demo_pkg-1.1.tar.gz", "2025-03-02T00:00:00Z", { yanked: "broken sdist", requiresPython: ">=3.9" }),
          ],
        },
        wheelRelease("Demo_Pkg", "1.2", undefined),
      ],
    },
  ]);
  extra = await startIndexServer([{ name: "only-extra", releases: [wheelRelease("only-extra", "0.1", "2024-01-01T00:00:00Z")] }]);
});

afterAll(async () => {
  await primary.stop();
  await extra.stop();
});

afterEach(() => {
  primary.clearFailures();
  primary.requests.length = 0;
  extra.requests.length = 0;
});

function client(options: { extra?: boolean; http?: Parameters<typeof quickHttp>[0] } = {}): IndexClient {
  const fetcher = new CachedFetcher({ http: quickHttp(options.http), cache: undefined, offline: false });
  return new IndexClient(fetcher, { indexUrl: primary.simpleUrl, extraIndexUrls: options.extra ? [extra.simpleUrl] : [] });
}

describe("JSON API and simple API", () => {
  test("version metadata: display name, files with UTC upload times, vulnerabilities", async () => {
    const found = await client().versionMetadata("demo.pkg", "1.0");
    if (found.status !== "found") throw new Error(`expected found, got ${found.status}`);
    expect(found.value.name).toBe("Demo_Pkg");
    expect(found.value.files.map((file) => [file.filename, file.uploadTime?.toISOString()])).toEqual([
      ["Demo_Pkg-1.0-py3-none-any.whl", "2025-01-02T03:04:05.000Z"],
    ]);
    expect(found.value.vulnerabilities?.map((vulnerability) => [vulnerability.id, vulnerability.withdrawn])).toEqual([
      ["PYSEC-1", false],
      ["GHSA-gone", true],
    ]);
    expect(requestLog(primary)).toEqual(["GET /pypi/demo-pkg/1.0/json 200"]);
  });

  test("releases from PEP 691 JSON with yank, requires-python and missing upload times", async () => {
    const found = await client().releases("Demo-Pkg");
    if (found.status !== "found") throw new Error(`expected found, got ${found.status}`);
    expect([...found.value.releases.keys()]).toEqual(["1.0", "1.1", "1.2"]);
    const sdist = found.value.releases.get("1.1")?.find((file) => file.filename.endsWith(".tar.gz"));
    expect(sdist).toMatchObject({ yanked: true, requiresPython: ">=3.9", version: "1.1" });
    expect(sdist?.uploadTime?.toISOString()).toBe("2025-03-02T00:00:00.000Z");
    expect(found.value.releases.get("1.2")?.[0]?.uploadTime).toBeUndefined();
    expect(primary.requests[0]?.headers.accept).toBe(SIMPLE_JSON);
  });

  test("a 404 means not on this index: no retry, and the extra index is asked", async () => {
    expect((await client().versionMetadata("only-extra", "0.1")).status).toBe("not-found");
    expect(requestLog(primary)).toEqual(["GET /pypi/only-extra/0.1/json 404", "GET /simple/only-extra/ 404", "GET /pypi/only-extra/json 404"]);
    const found = await client({ extra: true }).versionMetadata("only-extra", "0.1");
    expect(found.status === "found" && found.index).toBe(extra.simpleUrl);
  });

  test("the JSON API root is derived from <base>/simple/", () => {
    expect(client().indexes[0]).toEqual({ simple: primary.simpleUrl, json: `${primary.url}/pypi/` });
    const pypi = new IndexClient(new CachedFetcher({ http: quickHttp(), cache: undefined, offline: false }));
    expect(pypi.indexes[0]).toEqual({ simple: "https://pypi.org/simple/", json: "https://pypi.org/pypi/" });
  });
});

test("an index that only serves PEP 503 HTML has no JSON data: not found, not an error", async () => {
  const htmlOnly = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: (request) =>
      new URL(request.url).pathname.startsWith("/simple/")
        ? new Response('<a href="demo-1.0.tar.gz">demo-1.0.tar.gz</a>', { headers: { "content-type": "text/html" } })
        : new Response("not found", { status: 404 }),
  });
  try {
    const fetcher = new CachedFetcher({ http: quickHttp(), cache: undefined, offline: false });
    const found = await new IndexClient(fetcher, { indexUrl: `http://127.0.0.1:${htmlOnly.port}/simple/` }).versionMetadata("demo", "1.0");
    expect(found.status).toBe("not-found");
  } finally {
    await htmlOnly.stop(true);
  }
});

describe("failure modes", () => {
  test("a 500 followed by success is retried", async () => {
    primary.fail("/pypi/demo-pkg/", { kind: "status", status: 500 });
    const pending = client({ http: { retryBaseDelayMs: 200, retryMaxDelayMs: 200 } }).versionMetadata("demo-pkg", "1.0");
    await waitForStatus(primary, 500);
    primary.clearFailures();
    expect((await pending).status).toBe("found");
    expect(requestLog(primary)).toEqual(["GET /pypi/demo-pkg/1.0/json 500", "GET /pypi/demo-pkg/1.0/json 200"]);
  });

  test("a 500 that persists becomes IndexUnreachableError (exit 3) naming the URL, after bounded retries", async () => {
    primary.fail("/pypi/", { kind: "status", status: 503 });
    const error = await client().versionMetadata("demo-pkg", "1.0").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(IndexUnreachableError);
    expect((error as IndexUnreachableError).exitCode).toBe(ExitCode.IndexUnreachable);
    expect((error as Error).message).toBe(`cannot reach ${primary.url}/pypi/demo-pkg/1.0/json: HTTP 503 Service Unavailable (3 attempts)`);
    expect(primary.requests).toHaveLength(3);
  });

  test("malformed JSON is retried, then a clear error", async () => {
    primary.fail("/pypi/", { kind: "malformed-json" });
    const error = await client().versionMetadata("demo-pkg", "1.0").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(IndexUnreachableError);
    expect((error as Error).message).toContain("malformed JSON in the response");
    expect(primary.requests).toHaveLength(3);
  });

  test("a truncated body is retried, then a clear error; a later good answer is used", async () => {
    primary.fail("/pypi/", { kind: "truncated" });
    const error = await client().versionMetadata("demo-pkg", "1.0").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(IndexUnreachableError);
    expect((error as Error).message).toMatch(/cannot reach .*\/pypi\/demo-pkg\/1\.0\/json: .*\(3 attempts\)$/);
    primary.requests.length = 0;
    const pending = client({ http: { retryBaseDelayMs: 200, retryMaxDelayMs: 200 } }).versionMetadata("demo-pkg", "1.0");
    while (primary.requests.length === 0) await Bun.sleep(2);
    primary.clearFailures();
    expect((await pending).status).toBe("found");
  });

  test("a response slower than the timeout is an attempt that failed", async () => {
    primary.fail("/pypi/", { kind: "delay", ms: 1_000 });
    const error = await client({ http: { timeoutMs: 100, retries: 1 } }).versionMetadata("demo-pkg", "1.0").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(IndexUnreachableError);
    expect((error as Error).message).toContain("no complete response within 0.1 s (2 attempts)");
  });

  test("an index nobody listens on is unreachable, named with the error", async () => {
    const closed = await startIndexServer();
    const url = closed.simpleUrl;
    await closed.stop();
    const fetcher = new CachedFetcher({ http: quickHttp({ retries: 1 }), cache: undefined, offline: false });
    const error = await new IndexClient(fetcher, { indexUrl: url }).versionMetadata("demo-pkg", "1.0").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(IndexUnreachableError);
    expect((error as Error).message).toStartWith(`cannot reach ${closed.url}/pypi/demo-pkg/1.0/json: `);
    expect((error as IndexUnreachableError).hint).toContain("--offline");
  });
});

describe("proxies", () => {
  let proxy: Server;
  let proxyUrl: string;
  const proxied: string[] = [];

  beforeAll(async () => {
    // A forward proxy for plain http: it receives absolute-form request targets.
    proxy = createServer((request, response) => {
      proxied.push(request.url ?? "");
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ info: { name: "Via-Proxy" }, urls: [], vulnerabilities: [] }));
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    proxy.closeAllConnections();
    await new Promise<void>((resolve) => proxy.close(() => resolve()));
  });

  test("HTTP_PROXY routes requests through the proxy", async () => {
    const found = await client({ http: { env: { HTTP_PROXY: proxyUrl } } }).versionMetadata("demo-pkg", "1.0");
    expect(found.status === "found" && found.value.name).toBe("Via-Proxy");
    expect(proxied).toEqual([`${primary.url}/pypi/demo-pkg/1.0/json`]);
    expect(primary.requests).toHaveLength(0);
  });

  test("NO_PROXY sends matching hosts directly", async () => {
    proxied.length = 0;
    const found = await client({ http: { env: { http_proxy: proxyUrl, no_proxy: "localhost,127.0.0.0/8" } } }).versionMetadata("demo-pkg", "1.0");
    expect(found.status === "found" && found.value.name).toBe("Demo_Pkg");
    expect(proxied).toEqual([]);
    expect(primary.requests).toHaveLength(1);
  });
});
