/**
 * The real set of bench/scan.ts: popular projects resolved, offline, from this machine's wheel
 * mirror, found from the host pip configuration (`pip config list`: file:// index URLs and
 * find-links). Only the benchmark reads the host configuration, to resolve the set; pipcanary
 * itself runs pip isolated against the local index the benchmark serves the files from.
 */
import { existsSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { FixtureProject } from "../test/harness/types.ts";

/** Popular, mostly pure-Python projects with their usual dependencies: what CI jobs install. */
export const REAL_NAMES = [
  "requests", "flask", "click", "rich", "attrs", "pydantic", "httpx", "jinja2", "pyyaml", "six",
  "packaging", "python-dateutil", "pytz", "tqdm", "colorama", "tabulate", "toml", "pygments",
  "markdown", "jsonschema", "sqlalchemy", "pytest", "filelock", "platformdirs", "cachetools",
  "tenacity", "structlog", "loguru", "typer", "fastapi", "decorator", "more-itertools",
  "sortedcontainers", "networkx", "regex", "msgpack", "redis", "dnspython", "pyjwt", "oauthlib",
  "rsa", "psutil", "docutils", "babel", "gitpython", "keyring", "boto3", "python-dotenv",
  "humanize", "prettytable",
];

interface PipReport {
  install: { download_info: { url: string } }[];
}

/**
 * Folders of wheel files named by the host pip configuration (find-links folders, and the `files`
 * folder beside each file:// simple index), or [] when it names none.
 */
export function mirrorSources(): string[] {
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
export function resolveWheels(work: string, sources: string[], names: string[]): string[] {
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

/** The wheel files as fixture projects, for the local index. */
export function fixtureProjects(files: string[]): FixtureProject[] {
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
