/**
 * A real redis-server for tests: on 127.0.0.1, a free random port, no persistence, in the
 * foreground as a child of the test, stopped by its PID.
 */
import { createServer } from "node:net";

export interface RedisServer {
  port: number;
  pid: number;
  /** redis://127.0.0.1:<port>/<db>. */
  url(db?: number): string;
  stop(): Promise<void>;
}

/** A port nothing listens on right now (the kernel's pick for a socket bound to port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Reads the log until the server says it is ready, then keeps draining it so a full pipe never blocks the server. */
async function readUntilReady(stream: ReadableStream<Uint8Array>, timeoutMs: number): Promise<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let output = "";
  const deadline = Date.now() + timeoutMs;
  try {
    while (!output.includes("Ready to accept connections")) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`redis-server did not get ready:\n${output}`);
      const chunk = await Promise.race([reader.read(), Bun.sleep(remaining).then(() => undefined)]);
      if (chunk === undefined) continue;
      if (chunk.done) throw new Error(`redis-server exited:\n${output}`);
      output += decoder.decode(chunk.value);
    }
    void (async () => {
      try {
        while (!(await reader.read()).done);
      } catch {
        // The server is gone: nothing left to drain.
      }
    })();
    return output;
  } catch (error) {
    reader.releaseLock();
    throw error;
  }
}


/** `extraArgs`: more server options, e.g. `["--requirepass", "…"]`. */
export async function startRedisServer(extraArgs: readonly string[] = []): Promise<RedisServer> {
  let lastError: unknown;
  // Another process may take the free port between the check and redis-server's bind: try again.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = Bun.spawn(["redis-server", "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", ...extraArgs], {
      stdin: "ignore",
      stdout: "pipe",
      stderr: "inherit",
    });
    try {
      await readUntilReady(child.stdout, 10_000);
    } catch (error) {
      lastError = error;
      process.kill(child.pid, "SIGKILL");
      await child.exited;
      continue;
    }
    return {
      port,
      pid: child.pid,
      url: (db = 0) => `redis://127.0.0.1:${port}/${db}`,
      stop: async () => {
        if (child.exitCode === null) process.kill(child.pid, "SIGTERM");
        await child.exited;
      },
    };
  }
  throw lastError;
}
