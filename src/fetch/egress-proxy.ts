import net from "node:net";

/** One connection the sandbox asked the proxy to make. */
export interface EgressAttempt {
  host: string;
  port: number;
  allowed: boolean;
  /** "CONNECT" for tunnels, otherwise the HTTP method of an absolute-form request. */
  method: string;
  /** Full URL of plain-HTTP requests (tunnels only show host:port). */
  url: string | undefined;
  /** Source port of the sandboxed client on the sandbox's loopback, as told by the forwarder. */
  peerPort: number | undefined;
  /** Why the allowed upstream could not be reached (index down, wrong port). */
  upstreamError?: string;
}

export interface EgressProxyOptions {
  socketPath: string;
  /** Allowed destinations as lower-case "host:port". */
  allow: ReadonlySet<string>;
  /** Called for every request, allowed or not, while its client still waits for the answer. */
  onAttempt: (attempt: EgressAttempt) => void;
  /**
   * Asked about every allowed plain-HTTP request (whose URL the proxy can read) before it is
   * forwarded; false refuses it with 403. Tunnels (CONNECT) only show host and port.
   */
  screen?: (url: URL) => Promise<boolean>;
  /**
   * Answers an allowed plain-HTTP request itself instead of forwarding it (the held-back index of
   * index/hold-back.ts); undefined forwards it. A failure is answered 502 and kept as the
   * attempt's upstream error.
   */
  answer?: (url: URL) => Promise<{ status: number; contentType: string; body: string } | undefined>;
}

export interface EgressProxy {
  readonly attempts: readonly EgressAttempt[];
  close: () => Promise<void>;
}

const MAX_HEAD_BYTES = 64 * 1024;
/**
 * The in-sandbox forwarder opens every connection with a PROXY protocol v1 line (HAProxy's
 * ordinary format, nothing that names the scanner) that carries the client's source port.
 */
const PROXY_LINE = /^PROXY TCP4 \S+ \S+ (\d+) \d+\r?$/;
/** The longest PROXY protocol v1 line, by its specification. */
const MAX_PROXY_LINE_BYTES = 107;

interface RequestHead {
  method: string;
  target: string;
  version: string;
  headers: string[];
}

function parseHead(text: string): RequestHead | undefined {
  const [requestLine, ...headers] = text.split("\r\n");
  const parts = requestLine?.split(" ");
  if (!parts || parts.length !== 3) return undefined;
  const [method, target, version] = parts as [string, string, string];
  return { method, target, version, headers: headers.filter((line) => line !== "") };
}

function defaultPort(protocol: string): number {
  return protocol === "https:" ? 443 : 80;
}

/** host:port of a CONNECT target or an absolute-form URL; IPv6 brackets are kept off the host. */
function destinationOf(head: RequestHead): { host: string; port: number; url: URL | undefined } | undefined {
  if (head.method === "CONNECT") {
    const match = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(head.target);
    if (!match) return undefined;
    return { host: (match[1] ?? "").replace(/^\[|\]$/g, "").toLowerCase(), port: Number(match[2]), url: undefined };
  }
  let url: URL;
  try {
    url = new URL(head.target);
  } catch {
    return undefined;
  }
  if (url.protocol !== "http:") return undefined;
  const port = url.port === "" ? defaultPort(url.protocol) : Number(url.port);
  return { host: url.hostname.replace(/^\[|\]$/g, "").toLowerCase(), port, url };
}

function contentLength(headers: string[]): number {
  const header = headers.find((line) => /^content-length:/i.test(line));
  const value = header ? Number(header.slice(header.indexOf(":") + 1).trim()) : 0;
  return Number.isFinite(value) && value > 0 ? value : 0;
}

/** Origin-form request for the upstream server: one request, then the connection closes. */
function originRequest(head: RequestHead, url: URL): string {
  const hop = /^(proxy-connection|proxy-authorization|connection|keep-alive):/i;
  const headers = head.headers.filter((line) => !hop.test(line));
  return [`${head.method} ${url.pathname}${url.search} ${head.version}`, ...headers, "Connection: close", "", ""].join("\r\n");
}

function refuse(client: net.Socket, status: string): void {
  client.end(`HTTP/1.1 ${status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
}

async function answerLocally(client: net.Socket, attempt: EgressAttempt, answer: NonNullable<EgressProxyOptions["answer"]>, url: URL): Promise<boolean> {
  let response;
  try {
    response = await answer(url);
  } catch (error) {
    attempt.upstreamError = error instanceof Error ? error.message : String(error);
    response = { status: 502, contentType: "text/plain", body: attempt.upstreamError };
  }
  if (!response) return false;
  const body = Buffer.from(response.body);
  client.end(Buffer.concat([Buffer.from(`HTTP/1.1 ${response.status} ${response.status === 200 ? "OK" : "Error"}\r\nContent-Type: ${response.contentType}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`), body]));
  return true;
}

export function destinationKey(host: string, port: number): string {
  return `${host.toLowerCase()}:${port}`;
}

/**
 * The sandbox's only way out during the fetch phase: an HTTP proxy on a unix socket (reached
 * through the in-sandbox forwarder) that tunnels or forwards to allowed index hosts only and
 * refuses everything else with 403.
 */
export function startEgressProxy(options: EgressProxyOptions): Promise<EgressProxy> {
  const attempts: EgressAttempt[] = [];
  const sockets = new Set<net.Socket>();

  const handle = (client: net.Socket) => {
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    client.on("error", () => client.destroy());
    let buffered = Buffer.alloc(0);
    let peerPort: number | undefined;
    let peerLineDone = false;

    const onData = async (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (!peerLineDone) {
        const newline = buffered.indexOf(10);
        if (newline < 0 && buffered.length < MAX_PROXY_LINE_BYTES) return;
        const proxyLine = PROXY_LINE.exec(buffered.subarray(0, Math.max(newline, 0)).toString("latin1"));
        if (proxyLine) {
          peerPort = Number(proxyLine[1]) || undefined;
          buffered = buffered.subarray(newline + 1);
        }
        peerLineDone = true;
      }
      const end = buffered.indexOf("\r\n\r\n");
      if (end < 0) {
        if (buffered.length > MAX_HEAD_BYTES) refuse(client, "431 Request Header Fields Too Large");
        return;
      }
      client.off("data", onData);
      client.pause();
      const head = parseHead(buffered.subarray(0, end).toString("latin1"));
      const rest = buffered.subarray(end + 4);
      const destination = head ? destinationOf(head) : undefined;
      if (!head || !destination) {
        refuse(client, "400 Bad Request");
        return;
      }
      const allowed = options.allow.has(destinationKey(destination.host, destination.port));
      const attempt: EgressAttempt = {
        host: destination.host,
        port: destination.port,
        allowed,
        method: head.method,
        url: destination.url?.href,
        peerPort,
      };
      attempts.push(attempt);
      options.onAttempt(attempt);
      if (!allowed) {
        refuse(client, "403 Forbidden");
        return;
      }
      // The client is paused and no longer read from: it waits for the verdict.
      if (destination.url && options.screen && !(await options.screen(destination.url).catch(() => false))) {
        refuse(client, "403 Forbidden");
        return;
      }
      if (destination.url && options.answer && (await answerLocally(client, attempt, options.answer, destination.url))) return;
      if (client.destroyed) return;
      const upstream = net.connect(destination.port, destination.host);
      let connected = false;
      sockets.add(upstream);
      upstream.on("close", () => {
        sockets.delete(upstream);
        client.end();
      });
      upstream.on("error", (error) => {
        if (!connected) attempt.upstreamError = error.message;
        if (connected) client.destroy();
        else refuse(client, "502 Bad Gateway");
      });
      client.on("close", () => upstream.destroy());
      upstream.on("connect", () => {
        connected = true;
        if (head.method === "CONNECT") {
          client.write("HTTP/1.1 200 Connection established\r\n\r\n");
          if (rest.length > 0) upstream.write(rest);
          client.pipe(upstream);
          upstream.pipe(client);
          client.resume();
          return;
        }
        // Exactly one request per connection: its head and declared body, nothing after it, so
        // a second pipelined request can never reach a host that was not checked.
        upstream.write(originRequest(head, destination.url as URL));
        let bodyLeft = contentLength(head.headers);
        const sendBody = (data: Buffer) => {
          if (bodyLeft <= 0) return;
          const part = data.subarray(0, bodyLeft);
          bodyLeft -= part.length;
          upstream.write(part);
        };
        sendBody(rest);
        client.on("data", sendBody);
        upstream.pipe(client);
        client.resume();
      });
    };
    client.on("data", onData);
  };

  const server = net.createServer(handle);
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.socketPath, () => {
      server.off("error", reject);
      resolve({
        attempts,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
