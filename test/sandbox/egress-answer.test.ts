import { afterAll, beforeAll, expect, test } from "bun:test";
import net from "node:net";
import { join } from "node:path";
import { destinationKey, type EgressAttempt, type EgressProxy, startEgressProxy } from "../../src/fetch/egress-proxy.ts";
import { useTempDirs } from "../harness/temp.ts";

/** One request through the proxy's unix socket; everything until it closes. */
function request(socketPath: string, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const client = net.connect(socketPath);
    let received = "";
    client.on("connect", () => client.write(text));
    client.on("data", (data) => void (received += data.toString("latin1")));
    client.on("error", reject);
    client.on("close", () => resolve(received));
  });
}

const tempDir = useTempDirs("pipcanary-proxy-answer");
// Nothing listens on this port: a request that was forwarded instead of answered gets a 502.
const HOST = "127.0.0.1:9";
let proxy: EgressProxy;
let socketPath: string;
const attempts: EgressAttempt[] = [];

beforeAll(async () => {
  socketPath = join(tempDir(), "proxy.sock");
  proxy = await startEgressProxy({
    socketPath,
    allow: new Set([destinationKey("127.0.0.1", 9)]),
    onAttempt: (attempt) => attempts.push(attempt),
    answer: async (url) => {
      if (url.pathname === "/fails/") throw new Error("index down");
      return url.pathname.startsWith("/held-back/") ? { status: 200, contentType: "application/vnd.pypi.simple.v1+json", body: '{"files":[]}' } : undefined;
    },
  });
});
afterAll(async () => {
  await proxy.close();
});

test("a request the hook answers gets its answer and is never forwarded; others are forwarded", async () => {
  const answered = await request(socketPath, `GET http://${HOST}/held-back/simple/x/ HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`);
  expect(answered).toStartWith("HTTP/1.1 200 OK\r\n");
  expect(answered).toContain("Content-Type: application/vnd.pypi.simple.v1+json\r\n");
  expect(answered).toEndWith('\r\n\r\n{"files":[]}');
  const forwarded = await request(socketPath, `GET http://${HOST}/simple/x/ HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`);
  expect(forwarded).toStartWith("HTTP/1.1 502 Bad Gateway");
  expect(attempts.map((attempt) => attempt.url)).toEqual([`http://${HOST}/held-back/simple/x/`, `http://${HOST}/simple/x/`]);
});

test("a hook that fails answers 502 and keeps the reason as the attempt's upstream error", async () => {
  const failed = await request(socketPath, `GET http://${HOST}/fails/ HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`);
  expect(failed).toStartWith("HTTP/1.1 502 ");
  expect(attempts.at(-1)?.upstreamError).toBe("index down");
});
