import { afterEach } from "bun:test";
import { builtFile } from "../harness/distribution-format.ts";
import type { FixtureFile, FixtureRelease, FixtureVulnerability, IndexServer } from "../harness/types.ts";
import { HttpClient, type HttpOptions } from "../../src/index/http.ts";

/**
 * Small fixture releases for the index and audit tests: metadata is what these tests read, so
 * the files are a few bytes each (the pip round-trip test builds real wheels instead).
 */
export function fakeFile(filename: string, uploadTime: string | undefined, extra: Partial<FixtureFile> = {}): FixtureFile {
  const file: FixtureFile = { ...builtFile(filename, new TextEncoder().encode(`fixture ${filename}\n`)), ...extra };
  if (uploadTime !== undefined) file.uploadTime = uploadTime;
  return file;
}

/** One release with one wheel (`<name>-<version>-py3-none-any.whl`). */
export function wheelRelease(
  name: string,
  version: string,
  uploadTime: string | undefined,
  options: { vulnerabilities?: FixtureVulnerability[]; file?: Partial<FixtureFile> } = {},
): FixtureRelease {
  const wheelName = `${name.replace(/[-_.]+/g, "_")}-${version}-py3-none-any.whl`;
  return { version, files: [fakeFile(wheelName, uploadTime, options.file)], vulnerabilities: options.vulnerabilities ?? [] };
}

/** An HTTP client that gives up quickly, so failure-mode tests stay short. */
export function quickHttp(options: HttpOptions = {}): HttpClient {
  return new HttpClient({ retries: 2, retryBaseDelayMs: 20, retryMaxDelayMs: 50, timeoutMs: 2_000, env: {}, ...options });
}

/** Requests recorded since `from`, as `METHOD path status`. */
export function requestLog(server: IndexServer, from = 0): string[] {
  return server.requests.slice(from).map((request) => `${request.method} ${request.path} ${request.status}`);
}

/** Resolves once the server has answered a request with `status`. */
export async function waitForStatus(server: IndexServer, status: number): Promise<void> {
  while (!server.requests.some((request) => request.status === status)) await Bun.sleep(2);
}

/** Tests that set process.env.TZ (Bun applies it at runtime) get the original zone back after each test. */
export function restoreTimezoneAfterEach(): void {
  const original = process.env.TZ;
  afterEach(() => {
    if (original === undefined) delete process.env.TZ;
    else process.env.TZ = original;
  });
}
