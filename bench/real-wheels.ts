/**
 * Real-world guard and cost of the behavioural scan: scans a set of popular real wheels from this
 * machine's local wheel mirror with the compiled binary, and installs the same files with a plain
 * `pip install --no-index` into a fresh venv, alternating, in one run.
 *
 * It prints, per round, both wall times, the time of each phase (from the binary's progress lines
 * on stderr) and the findings by severity; it fails when any real package gets a blocking finding
 * (the false-positive guard of the evasion-resistant scan).
 *
 * The mirror is found from the host pip configuration (`pip config list`: file:// index URLs and
 * find-links). Without one the benchmark says so and exits 0. Only the benchmark reads the host
 * configuration, to resolve the set; pipcanary itself runs pip isolated against the local index.
 *
 * Usage: bun bench/real-wheels.ts [rounds (default 2)] [names…]   (needs `npm run build` first)
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startIndexServer } from "../test/harness/index-server.ts";
import { makeVenv, runPip } from "../test/harness/pip.ts";
import type { FixtureProject } from "../test/harness/types.ts";

/** Popular, mostly pure-Python projects with their usual dependencies: what CI jobs install. */
const DEFAULT_NAMES = [
  "requests", "flask", "click", "rich", "attrs", "pydantic", "httpx", "jinja2", "pyyaml", "six",
  "packaging", "python-dateutil", "pytz", "tqdm", "colorama", "tabulate", "toml", "pygments",
  "markdown", "jsonschema", "sqlalchemy", "pytest", "filelock", "platformdirs", "cachetools",
  "tenacity", "structlog", "loguru", "typer", "fastapi", "decorator", "more-itertools",
  "sortedcontainers", "networkx", "regex", "msgpack", "redis", "dnspython", "pyjwt", "oauthlib",
  "rsa", "psutil", "docutils", "babel", "gitpython", "keyring", "boto3", "python-dotenv",
  "humanize", "prettytable",
];

const rounds = Number(process.argv[2] ?? 2);
const names = process.argv.length > 3 ? process.argv.slice(3) : DEFAULT_NAMES;
const binary = join(import.meta.dir, "..", "dist", "pipcanary");

interface PipReport {
  install: { metadata: { name: string; version: string }; download_info: { url: string } }[];
}

/**
 * Folders of wheel files named by the host pip configuration (find-links folders, and the `files`
 * folder beside each file:// simple index), or [] when it names none.
 */
function mirrorSources(): string[] {
  const listed = Bun.spawnSync(["python3", "-m", "pip", "config", "list"], { stdout: "pipe", stderr: "pipe" });
  const sources: string[] = [];
  for (const line of listed.stdout.toString().split("\n")) {
    const match = /\.(?:find-links|extra-index-url|index-url)='([^']*)'/.exec(line);
    for (const value of match?.[1]?.split(/\s+/) ?? []) {
      const path = value.startsWith("file://") ? fileURLToPath(value) : value;
      const files = path.endsWith("/simple") || path.endsWith("/simple/") ? join(path, "..", "files") : path;
      if (files.startsWith("/") && existsSync(files)) sources.push(files);
    }
  }
  return [...new Set(sources)];
}

/** Resolves the names offline, from the mirror's folders only, into local wheel files. */
function resolveWheels(work: string, sources: string[]): string[] {
  const reportPath = join(work, "resolve.json");
  const resolved = Bun.spawnSync(
    [
      "python3", "-m", "pip", "install", "--isolated", "--no-index", ...sources.flatMap((source) => ["--find-links", source]),
      "--dry-run", "--ignore-installed", "--only-binary", ":all:", "--quiet", "--report", reportPath, ...names,
    ],
    { stdout: "pipe", stderr: "pipe" },
  );
  if (resolved.exitCode !== 0) throw new Error(`the mirror cannot resolve the benchmark set:\n${resolved.stderr.toString()}`);
  const report = JSON.parse(readFileSync(reportPath, "utf8")) as PipReport;
  return report.install.map((entry) => fileURLToPath(entry.download_info.url));
}

function fixtureProjects(files: string[]): FixtureProject[] {
  const byName = new Map<string, FixtureProject>();
  for (const path of files) {
    const filename = basename(path);
    const [rawName, version] = filename.split("-");
    if (rawName === undefined || version === undefined) throw new Error(`unexpected wheel name ${filename}`);
    const name = rawName.toLowerCase().replace(/[-_.]+/g, "-");
    const content = new Uint8Array(readFileSync(path));
    const sha256 = new Bun.CryptoHasher("sha256").update(content).digest("hex");
    const project = byName.get(name) ?? { name, releases: [] };
    project.releases.push({ version, files: [{ filename, content, sha256, uploadTime: "2024-01-02T03:04:05Z" }] });
    byName.set(name, project);
  }
  return [...byName.values()];
}

interface ScanRound {
  seconds: number;
  exitCode: number;
  phases: { label: string; seconds: number }[];
  severities: Record<string, number>;
  blocking: string[];
  warnings: string[];
}

interface JsonFinding {
  severity: string;
  ruleId: string;
  package?: string;
}

/** Runs the binary; phase times come from when each progress line arrived on stderr. */
async function scanOnce(requirements: string, index: { simpleUrl: string; url: string }, work: string): Promise<ScanRound> {
  const started = performance.now();
  const child = Bun.spawn(
    [binary, "-r", requirements, "-i", index.simpleUrl, "--osv-url", index.url, "--format", "json", "--cache-dir", join(work, "cache"), "--temporary-directory", work],
    { stdout: "pipe", stderr: "pipe", stdin: "ignore" },
  );
  const marks: { label: string; at: number }[] = [];
  const readStderr = (async () => {
    const decoder = new TextDecoder();
    let pending = "";
    for await (const chunk of child.stderr) {
      pending += decoder.decode(chunk, { stream: true });
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) if (line.trim() !== "") marks.push({ label: line.trim().slice(0, 70), at: performance.now() });
    }
  })();
  const stdout = await new Response(child.stdout).text();
  await readStderr;
  const exitCode = await child.exited;
  const ended = performance.now();
  const phases = marks.map((mark, i) => ({ label: mark.label, seconds: ((marks[i + 1]?.at ?? ended) - mark.at) / 1000 }));
  const severities: Record<string, number> = {};
  const blocking: string[] = [];
  const warnings: string[] = [];
  let findings: JsonFinding[] = [];
  try {
    const parsed = JSON.parse(stdout) as { findings?: JsonFinding[] };
    findings = parsed.findings ?? [];
  } catch {
    throw new Error(`pipcanary printed no JSON (exit ${exitCode}):\n${marks.map((mark) => mark.label).slice(-10).join("\n")}`);
  }
  for (const finding of findings) {
    severities[finding.severity] = (severities[finding.severity] ?? 0) + 1;
    const label = `${finding.package ?? "?"}: ${finding.ruleId}`;
    if (finding.severity === "block") blocking.push(label);
    if (finding.severity === "warn") warnings.push(label);
  }
  return { seconds: (ended - started) / 1000, exitCode, phases, severities, blocking, warnings };
}

async function plainOnce(work: string, round: number): Promise<number> {
  const links = join(work, "links");
  const home = join(work, `plain-home-${round}`);
  const venvDir = join(work, `plain-venv-${round}`);
  mkdirSync(home, { recursive: true });
  const started = performance.now();
  const venv = await makeVenv(venvDir, { home });
  const result = await runPip(["install", "--no-index", "--find-links", links, "--no-cache-dir", "--progress-bar", "off", ...names], { home, venv });
  const seconds = (performance.now() - started) / 1000;
  if (result.exitCode !== 0) throw new Error(`plain pip install failed:\n${result.stderr}`);
  rmSync(venvDir, { recursive: true, force: true });
  return seconds;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

const sources = mirrorSources();
if (sources.length === 0) {
  console.log("bench/real-wheels: skipped: the host pip configuration names no local wheel mirror (file:// index or find-links)");
  process.exit(0);
}
if (!existsSync(binary)) {
  console.error("bench/real-wheels: build the binary first: npm run build");
  process.exit(1);
}

const work = mkdtempSync(join(tmpdir(), "bench-real-"));
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    rmSync(work, { recursive: true, force: true });
    process.exit(signal === "SIGINT" ? 130 : 143);
  });
}
let failed = false;
try {
  const files = resolveWheels(work, sources);
  mkdirSync(join(work, "links"));
  for (const file of files) writeFileSync(join(work, "links", basename(file)), readFileSync(file));
  const index = await startIndexServer(fixtureProjects(files));
  try {
    const requirements = join(work, "requirements.txt");
    writeFileSync(requirements, `${names.join("\n")}\n`);
    console.log(`${names.length} requested, ${files.length} wheels resolved from ${sources.join(", ")}; ${cpus().length} cores`);
    const plainTimes: number[] = [];
    const scanTimes: number[] = [];
    for (let round = 0; round < rounds; round++) {
      plainTimes.push(await plainOnce(work, round));
      rmSync(join(work, "cache"), { recursive: true, force: true });
      const scan = await scanOnce(requirements, index, work);
      scanTimes.push(scan.seconds);
      console.log(`round ${round + 1}: plain pip ${plainTimes.at(-1)?.toFixed(1)} s, pipcanary ${scan.seconds.toFixed(1)} s (exit ${scan.exitCode}), findings ${JSON.stringify(scan.severities)}`);
      for (const phase of scan.phases) console.log(`  ${phase.seconds.toFixed(1).padStart(6)} s  ${phase.label}`);
      if (scan.warnings.length > 0) console.log(`  warnings: ${[...new Set(scan.warnings)].join("; ")}`);
      if (scan.blocking.length > 0) {
        failed = true;
        console.log(`  BLOCKING findings on real packages (false positives): ${scan.blocking.join("; ")}`);
      }
    }
    const plain = median(plainTimes);
    const scanned = median(scanTimes);
    console.log(`plain pip install: ${plain.toFixed(1)} s; pipcanary scan (cold cache): ${scanned.toFixed(1)} s; ratio ${(scanned / plain).toFixed(2)}x (medians of ${rounds})`);
  } finally {
    await index.stop();
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
// exitCode, not exit(): exit() can drop console output still buffered for a file or pipe.
process.exitCode = failed ? 1 : 0;
