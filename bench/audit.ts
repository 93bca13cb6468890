/**
 * Audit of 100 pinned packages against the fixture index with 50 ms of latency per request:
 * cold cache, warm cache (in process and as a whole process), and the anchors' approach — two
 * uncached requests per package, one at a time. Prints times and ratios.
 *
 *   node_modules/.bin/bun bench/audit.ts
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { auditDistributions, auditExitCode, type AuditedPackage, type AuditRunOptions } from "../src/audit/index.ts";
import type { FixtureProject } from "../test/harness/types.ts";

const PACKAGES = 100;
const LATENCY_MS = 50;
const NOW = new Date("2026-04-05T00:00:00Z");

const packages: AuditedPackage[] = Array.from({ length: PACKAGES }, (_, index) => ({ name: `bench-pkg-${index}`, version: "1.2.0" }));

function options(indexUrl: string, cacheDir: string, extra: Partial<AuditRunOptions> = {}): AuditRunOptions {
  return { indexUrl, cacheDir, env: {}, now: () => NOW, ...extra };
}

/** `--warm-child <indexUrl> <cacheDir>`: one warm audit as its own process, as CI would run it. */
if (process.argv[2] === "--warm-child") {
  const [indexUrl = "", cacheDir = ""] = process.argv.slice(3);
  const report = await auditDistributions(packages, [], options(indexUrl, cacheDir));
  process.exit(report.packages.length === PACKAGES ? 0 : 1);
}

// Loaded only by the parent: the warm child must load what a pipcanary process loads, no more.
const { startIndexServer } = await import("../test/harness/index-server.ts");
const { wheelRelease } = await import("../test/index/fixture-data.ts");

function projects(): FixtureProject[] {
  return packages.map(({ name }, index) => ({
    name,
    releases: ["1.0.0", "1.1.0", "1.2.0"].map((version, release) =>
      wheelRelease(name, version, `2025-0${release + 1}-1${index % 10}T12:00:00Z`, {
        vulnerabilities: index % 10 === 0 && version === "1.2.0" ? [{ id: `PYSEC-2025-${index}`, fixedIn: ["1.3.0"] }] : [],
      }),
    ),
  }));
}

async function time<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await work();
  return { ms: performance.now() - start, value };
}

async function processMs(args: string[]): Promise<number> {
  const start = performance.now();
  const child = Bun.spawn([process.execPath, ...args], { stdout: "ignore", stderr: "inherit" });
  const code = await child.exited;
  if (code !== 0) throw new Error(`${args.join(" ")} exited ${code}`);
  return performance.now() - start;
}

/** Median of `runs` timings, to keep one scheduling hiccup on a shared machine from deciding. */
async function median(runs: number, measure: () => Promise<number>): Promise<number> {
  const times: number[] = [];
  for (let run = 0; run < runs; run++) times.push(await measure());
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? Number.NaN;
}

const server = await startIndexServer(projects());
const scratch = mkdtempSync(join(tmpdir(), "pipcanary-bench-audit-"));
try {
  server.setLatency(LATENCY_MS);

  const cacheDir = join(scratch, "cache");
  const cold = await time(() => auditDistributions(packages, [], options(server.simpleUrl, cacheDir)));
  const coldRequests = server.requests.length;
  if (cold.value.packages.length !== PACKAGES) throw new Error("cold audit lost packages");

  server.requests.length = 0;
  const warmInProcess = await median(5, async () => (await time(() => auditDistributions(packages, [], options(server.simpleUrl, cacheDir)))).ms);
  const warmRequests = server.requests.length;

  const script = import.meta.path;
  const startup = await median(5, () => processMs(["-e", "0"]));
  const warmProcess = await median(5, () => processMs([script, "--warm-child", server.simpleUrl, cacheDir]));

  server.requests.length = 0;
  const sequential = await time(async () => {
    for (const { name, version } of packages) {
      for (const path of [`/pypi/${name}/json`, `/pypi/${name}/${version}/json`]) {
        const response = await fetch(`${server.url}${path}`, { proxy: false });
        await response.json();
      }
    }
  });
  const sequentialRequests = server.requests.length;

  server.requests.length = 0;
  const oneInFlight = await time(() => auditDistributions(packages, [], options(server.simpleUrl, join(scratch, "cache-seq"), { concurrency: 1 })));

  const fmt = (ms: number) => `${ms.toFixed(0).padStart(6)} ms`;
  console.log(`audit of ${PACKAGES} pinned packages, ${LATENCY_MS} ms latency per request (exit code ${auditExitCode(cold.value)}: ${cold.value.packages.filter((pkg) => pkg.vulnerabilities.length > 0).length} vulnerable)`);
  console.log(`  sequential, anchors' approach (2 uncached requests per package, one at a time): ${fmt(sequential.ms)}  (${sequentialRequests} requests)`);
  console.log(`  pipcanary, 1 request in flight, cold cache:                                    ${fmt(oneInFlight.ms)}`);
  console.log(`  pipcanary, cold cache (16 in flight):                                          ${fmt(cold.ms)}  (${coldRequests} requests)`);
  console.log(`  pipcanary, warm cache, in process (median of 5):                               ${fmt(warmInProcess)}  (${warmRequests} requests over 5 runs)`);
  console.log(`  pipcanary, warm cache, whole process (median of 5):                            ${fmt(warmProcess)}`);
  console.log(`  bun process start-up alone (median of 5):                                      ${fmt(startup)}`);
  console.log(`ratios:`);
  console.log(`  cold vs sequential anchors: ${(sequential.ms / cold.ms).toFixed(1)}x faster (target >= 10x)`);
  console.log(`  cold vs one request in flight: ${(oneInFlight.ms / cold.ms).toFixed(1)}x faster`);
  console.log(`  warm beyond process start-up: ${(warmProcess - startup).toFixed(0)} ms (target <= 100 ms)`);
} finally {
  await server.stop();
  rmSync(scratch, { recursive: true, force: true });
}
