import { lstatSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { normalizeName } from "../core/names.ts";
import { isPlainPathInside, readPlainFile, requirePlainDirectory } from "../sandbox/host-read.ts";

/** A distribution found in the venv, read by pipcanary on the host from its .dist-info. */
export interface VenvDistribution {
  /** Normalised name. */
  name: string;
  /** The name as METADATA spells it. */
  displayName: string;
  version: string;
  /** `.pth` files at the root of site-packages that this distribution installed. */
  pthFiles: string[];
  /** True when one of its .pth files has an `import` line, i.e. runs code at start-up. */
  executablePth: boolean;
  /** Normalised names from Requires-Dist (markers and extras ignored: used for ordering only). */
  requires: string[];
  /** Every module file it installed, dotted, parents first; modules under test directories left out. */
  modules: string[];
  /** Every entry point of every group in entry_points.txt. */
  entryPoints: EntryPoint[];
  /** Paths of the files it installed into the venv's bin dir (console and GUI scripts, data scripts). */
  scripts: string[];
}

/** One line of entry_points.txt: `name = module:attr.path [extras]`. */
export interface EntryPoint {
  group: string;
  name: string;
  module: string;
  /** Attribute path inside the module, dotted; empty for a module entry point. */
  attr: string;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MODULE_FILE = /^([A-Za-z_][A-Za-z0-9_]*)(\.py|\.pyc|(\.[A-Za-z0-9_-]+)?\.(so|pyd))$/;

/** Splits one RECORD row (CSV: path,hash,size; the path may be quoted). */
export function recordPath(row: string): string | undefined {
  if (row.trim() === "") return undefined;
  if (!row.startsWith('"')) return row.split(",")[0];
  let path = "";
  for (let i = 1; i < row.length; i++) {
    const char = row[i];
    if (char === '"') {
      if (row[i + 1] === '"') {
        path += '"';
        i++;
        continue;
      }
      return path;
    }
    path += char;
  }
  return path;
}

/** Every value of a METADATA header (RFC 822 style, up to the first blank line). */
function metadataHeaders(text: string, header: string): string[] {
  const prefix = `${header.toLowerCase()}:`;
  const values: string[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") break;
    if (line.toLowerCase().startsWith(prefix)) values.push(line.slice(prefix.length).trim());
  }
  return values;
}

function isInstalledInSitePackages(path: string): boolean {
  if (path.startsWith("/") || path.startsWith("../") || path.includes("/../")) return false;
  if (path.split("/").includes("__pycache__")) return false;
  const top = path.split("/")[0] ?? "";
  return !/\.(dist-info|egg-info|data)$/.test(top);
}

/** Directories whose modules are left to the static scan: test suites are not what users import. */
const TEST_DIRS = new Set(["tests", "test", "testing"]);

/**
 * Every module file of a distribution, dotted (`pkg`, `pkg.sub`, `pkg.sub.mod`), sorted so that a
 * package comes before its submodules; modules under test directories are left out.
 */
export function modulesFromFiles(files: readonly string[]): string[] {
  const modules = new Set<string>();
  for (const path of files.filter(isInstalledInSitePackages)) {
    const parts = path.split("/");
    const module = MODULE_FILE.exec(parts.at(-1) ?? "")?.[1];
    if (module === undefined) continue;
    const dirs = parts.slice(0, -1);
    if (!dirs.every((dir) => IDENTIFIER.test(dir)) || dirs.some((dir) => TEST_DIRS.has(dir))) continue;
    if (module === "__init__") {
      if (dirs.length > 0) modules.add(dirs.join("."));
    } else {
      modules.add([...dirs, module].join("."));
    }
  }
  return [...modules].sort((a, b) => a.split(".").length - b.split(".").length || (a < b ? -1 : a > b ? 1 : 0));
}

/** Parses entry_points.txt (an INI file); lines that are not `name = module[:attr]` are skipped. */
export function parseEntryPoints(text: string): EntryPoint[] {
  const entryPoints: EntryPoint[] = [];
  let group: string | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const section = /^\[([^\]]+)\]$/.exec(line);
    if (section) {
      group = section[1]?.trim();
      continue;
    }
    const entry = /^([^=]+?)\s*=\s*([A-Za-z_][\w.]*)\s*(?::\s*([A-Za-z_][\w.]*))?\s*(?:\[.*\])?$/.exec(line);
    if (group === undefined || !entry?.[1] || !entry[2]) continue;
    entryPoints.push({ group, name: entry[1], module: entry[2], attr: entry[3] ?? "" });
  }
  return entryPoints;
}

/** RECORD paths of files pip put into the venv's bin dir (`../../../bin/<name>` from site-packages). */
function binFiles(files: readonly string[]): string[] {
  return files
    .map((path) => /^\.\.\/\.\.\/\.\.\/bin\/([^/]+)$/.exec(path)?.[1])
    .filter((name): name is string => name !== undefined && name !== "." && name !== "..");
}

function isExecutablePth(text: string): boolean {
  return text.split("\n").some((line) => /^import[ \t]/.test(line));
}

/** `<venv>/lib/pythonX.Y/site-packages`, which must be a plain directory inside `root`. */
export function venvSitePackages(venv: string, pythonVersion: string, root: string): string {
  const dir = join(venv, "lib", `python${pythonVersion}`, "site-packages");
  requirePlainDirectory(dir, root);
  return dir;
}

function readDistribution(sitePackages: string, distInfo: string, root: string): VenvDistribution | undefined {
  const dir = join(sitePackages, distInfo);
  if (!isPlainPathInside(dir, root)) return undefined;
  const metadata = readPlainFile(join(dir, "METADATA"), root);
  if (!metadata) return undefined;
  const displayName = metadataHeaders(metadata, "Name")[0];
  const version = metadataHeaders(metadata, "Version")[0];
  if (!displayName || !version) return undefined;
  const requires = metadataHeaders(metadata, "Requires-Dist")
    .map((value) => /^[A-Za-z0-9._-]+/.exec(value)?.[0])
    .filter((name): name is string => name !== undefined)
    .map(normalizeName);
  const files = (readPlainFile(join(dir, "RECORD"), root) ?? "")
    .split("\n")
    .map(recordPath)
    .filter((path): path is string => path !== undefined && path !== "");
  const pthFiles = files.filter((path) => !path.includes("/") && path.endsWith(".pth"));
  const executablePth = pthFiles.some((pth) => isExecutablePth(readPlainFile(join(sitePackages, pth), root) ?? ""));
  const entryPoints = parseEntryPoints(readPlainFile(join(dir, "entry_points.txt"), root) ?? "");
  const binDir = join(sitePackages, "..", "..", "..", "bin");
  const scripts = binFiles(files)
    .map((name) => join(binDir, name))
    .filter((path) => isPlainPathInside(path, root) && lstatSync(path).isFile());
  return {
    name: normalizeName(displayName),
    displayName,
    version,
    pthFiles,
    executablePth,
    requires,
    modules: modulesFromFiles(files),
    entryPoints,
    scripts: [...new Set(scripts)].sort(),
  };
}

/** Every distribution installed in `sitePackages`, sorted by name. */
export function readVenvDistributions(sitePackages: string, root: string): VenvDistribution[] {
  const distributions: VenvDistribution[] = [];
  for (const entry of readdirSync(sitePackages).sort()) {
    if (!entry.endsWith(".dist-info")) continue;
    const distribution = readDistribution(sitePackages, entry, root);
    if (distribution) distributions.push(distribution);
  }
  return distributions.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Dependencies before the distributions that need them. Each distribution is imported in its own
 * process, and importing an application imports its dependencies too: had the application gone
 * first, a dependency's payload would run in (and be blamed on) the application's process.
 * Cycles are broken in name order.
 */
export function dependencyOrder(distributions: readonly VenvDistribution[]): VenvDistribution[] {
  const byName = new Map(distributions.map((distribution) => [distribution.name, distribution]));
  const ordered: VenvDistribution[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (distribution: VenvDistribution) => {
    if (state.has(distribution.name)) return;
    state.set(distribution.name, "visiting");
    for (const name of [...distribution.requires].sort()) {
      const dependency = byName.get(name);
      if (dependency) visit(dependency);
    }
    state.set(distribution.name, "done");
    ordered.push(distribution);
  };
  for (const distribution of [...distributions].sort((a, b) => a.name.localeCompare(b.name))) visit(distribution);
  return ordered;
}
