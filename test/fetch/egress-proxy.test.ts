import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import net from "node:net";
import { join } from "node:path";
import { destinationKey, type EgressAttempt, type EgressProxy, startEgressProxy } from "../../src/fetch/egress-proxy.ts";
import { allowedDestinations } from "../../src/fetch/pip-command.ts";
import { useTempDirs } from "../harness/temp.ts";

/** Sends raw bytes through the proxy's unix socket and collects everything until it closes. */
function exchange(socketPath: string, ...messages: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const client = net.connect(socketPath);
    let received = "";
    let sent = 0;
    client.on("connect", () => client.write(messages[sent++] ?? ""));
    client.on("data", (data) => {
      received += data.toString("latin1");
      const next = messages[sent];
      // After a tunnel is up, send the request that goes through it.
      if (next !== undefined && received.includes("\r\n\r\n")) {
        sent++;
        client.write(next);
      }
    });
    client.on("error", reject);
    client.on("close", () => resolve(received));
  });
}

describe("the egress proxy", () => {
  const tempDir = useTempDirs("pipcanary-proxy");
  let upstream: ReturnType<typeof Bun.serve>;
  let port = 0;
  let proxy: EgressProxy;
  let socketPath: string;
  const refused: EgressAttempt[] = [];
  const screened: string[] = [];
  const served: string[] = [];

  beforeAll(async () => {
    upstream = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch: (request) => {
        served.push(new URL(request.url).pathname);
        return new Response(`served ${new URL(request.url).pathname}`);
      },
    });
    port = upstream.port ?? 0;
    socketPath = join(tempDir("socket"), "egress.sock");
    proxy = await startEgressProxy({
      socketPath,
      allow: new Set([destinationKey("127.0.0.1", port), destinationKey("127.0.0.1", 1)]),
      onAttempt: (attempt) => {
        if (!attempt.allowed) refused.push(attempt);
      },
      // The known-malware gate's place: it sees each readable request before it is forwarded.
      screen: async (url) => {
        screened.push(url.pathname);
        return !url.pathname.endsWith("/refused-1.0-py3-none-any.whl");
      },
    });
  });
  afterAll(async () => {
    await proxy.close();
    upstream.stop(true);
  });

  test("forwards a plain-HTTP request to an allowed index host, one request per connection", async () => {
    const response = await exchange(
      socketPath,
      `PROXY TCP4 127.0.0.1 127.0.0.1 40001 3128\r\nGET http://127.0.0.1:${port}/simple/pkg/ HTTP/1.1\r\nHost: 127.0.0.1\r\nProxy-Connection: keep-alive\r\n\r\n`,
    );
    expect(response).toStartWith("HTTP/1.1 200");
    expect(response).toContain("served /simple/pkg/");
    expect(proxy.attempts.at(-1)).toMatchObject({ host: "127.0.0.1", port: port, allowed: true, method: "GET", peerPort: 40001 });
  });

  test("a screened request that the screen refuses gets 403 and never reaches the index", async () => {
    const refusedFile = await exchange(socketPath, `GET http://127.0.0.1:${port}/files/refused-1.0-py3-none-any.whl HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    const passed = await exchange(socketPath, `GET http://127.0.0.1:${port}/files/passed-1.0-py3-none-any.whl HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    expect(refusedFile).toStartWith("HTTP/1.1 403");
    expect(passed).toContain("served /files/passed-1.0-py3-none-any.whl");
    expect(screened).toContain("/files/refused-1.0-py3-none-any.whl");
    expect(served).not.toContain("/files/refused-1.0-py3-none-any.whl");
  });

  test("tunnels CONNECT to an allowed host", async () => {
    const response = await exchange(socketPath, `CONNECT 127.0.0.1:${port} HTTP/1.1\r\n\r\n`, "GET /files/x.whl HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    expect(response).toStartWith("HTTP/1.1 200 Connection established\r\n\r\nHTTP/1.1 200");
    expect(response).toContain("served /files/x.whl");
  });

  test("refuses and reports any other destination, plain or tunnelled", async () => {
    const plain = await exchange(socketPath, "PROXY TCP4 127.0.0.1 127.0.0.1 40002 3128\r\nGET http://127.0.0.9:4444/steal?k=v HTTP/1.1\r\nHost: 127.0.0.9\r\n\r\n");
    const tunnel = await exchange(socketPath, "PROXY TCP4 127.0.0.1 127.0.0.1 40003 3128\r\nCONNECT evil.example:443 HTTP/1.1\r\n\r\n");
    expect(plain).toStartWith("HTTP/1.1 403");
    expect(tunnel).toStartWith("HTTP/1.1 403");
    expect(refused.map(({ host, port, peerPort, url }) => ({ host, port, peerPort, url }))).toEqual([
      { host: "127.0.0.9", port: 4444, peerPort: 40002, url: "http://127.0.0.9:4444/steal?k=v" },
      { host: "evil.example", port: 443, peerPort: 40003, url: undefined },
    ]);
  });

  test("answers 502 and records why when an allowed host is down", async () => {
    const response = await exchange(socketPath, "CONNECT 127.0.0.1:1 HTTP/1.1\r\n\r\n");
    expect(response).toStartWith("HTTP/1.1 502");
    expect(proxy.attempts.at(-1)?.upstreamError).toBeDefined();
  });

  test("rejects requests that are not proxy requests", async () => {
    expect(await exchange(socketPath, "GET /relative HTTP/1.1\r\n\r\n")).toStartWith("HTTP/1.1 400");
  });
});

describe("allowed destinations", () => {
  test("are the index, extra index and find-links hosts, plus PyPI's file host for pypi.org", () => {
    const allowed = allowedDestinations({
      indexUrl: "https://pypi.org/simple/",
      extraIndexUrls: ["http://127.0.0.1:8080/simple/"],
      findLinks: ["https://downloads.example:8443/wheels/", "/opt/wheels"],
      pre: false,
      onlyBinary: [],
    });
    expect([...allowed].sort()).toEqual(["127.0.0.1:8080", "downloads.example:8443", "files.pythonhosted.org:443", "pypi.org:443"]);
  });
});
