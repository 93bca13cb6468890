import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { HttpClient, onSlowRequest } from "../../src/index/http.ts";

/** An index that holds every request until the test releases it. */
const held: ServerResponse[] = [];
const server = createServer((_request, response) => void held.push(response));
let url = "";

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/pypi/slow/json`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe("a slow index", () => {
  test("is named, with the request, while the answer is waited for; the notices stop with the answer", async () => {
    const heard: string[] = [];
    const client = new HttpClient({ slowAfterMs: 20, retries: 0, env: {} });
    let answered = false;
    const stop = onSlowRequest((what) => {
      heard.push(what);
      if (answered) return;
      answered = true;
      // Answer only once the wait was announced: the order is what is tested, not a duration.
      for (const response of held.splice(0)) response.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
    try {
      const result = await client.getJson(url);
      expect(result.status).toBe("ok");
      const count = heard.length;
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(heard.length).toBe(count);
      expect(heard[0]).toStartWith(`waiting for 127.0.0.1:${new URL(url).port}: no complete answer to GET ${url} after `);
    } finally {
      stop();
    }
  });
});
