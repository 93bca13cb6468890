import { existsSync, readdirSync } from "node:fs";
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
  /** Modules to import, dotted: regular packages, single modules, namespace sub-packages. */
  importTargets: string[];
  /** `.pth` files at the root of site-packages that this distribution installed. */
  pthFiles: string[];
  /** True when one of its .pth files has an `import` line, i.e. runs code at start-up. */
  executablePth: boolean;
  /** Normalised names from Requires-Dist (markers and extras ignored: used for ordering only). */
  requires: string[];
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

/**
 * What to import for a distribution's files: for each module file, the shallowest enclosing
 * regular package (one with __init__), else the module itself, dotted through namespace dirs.
 */
export function importTargetsFromFiles(files: readonly string[]): string[] {
  const installed = files.filter(isInstalledInSitePackages);
  const regularPackages = new Set<string>();
  for (const path of installed) {
    const parts = path.split("/");
    const last = parts.at(-1) ?? "";
    if (parts.length > 1 && MODULE_FILE.exec(last)?.[1] === "__init__") regularPackages.add(parts.slice(0, -1).join("/"));
  }
  const targets = new Set<string>();
  for (const path of installed) {
    const parts = path.split("/");
    const module = MODULE_FILE.exec(parts.at(-1) ?? "")?.[1];
    if (module === undefined) continue;
    const dirs = parts.slice(0, -1);
    if (!dirs.every((dir) => IDENTIFIER.test(dir))) continue;
    let target: string | undefined;
    for (let depth = 1; depth <= dirs.length && target === undefined; depth++) {
      if (regularPackages.has(dirs.slice(0, depth).join("/"))) target = dirs.slice(0, depth).join(".");
    }
    target ??= [...dirs, module].join(".");
    targets.add(target);
  }
  return [...targets].sort();
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
  const targets = new Set(importTargetsFromFiles(files));
  for (const name of (readPlainFile(join(dir, "top_level.txt"), root) ?? "").split("\n").map((line) => line.trim())) {
    const path = name.replace(/\./g, "/");
    if (!name.split(".").every((part) => IDENTIFIER.test(part))) continue;
    if ([...targets].some((target) => target === name || target.startsWith(`${name}.`))) continue;
    if (existsSync(join(sitePackages, path)) || existsSync(join(sitePackages, `${path}.py`))) targets.add(name);
  }
  const pthFiles = files.filter((path) => !path.includes("/") && path.endsWith(".pth"));
  const executablePth = pthFiles.some((pth) => isExecutablePth(readPlainFile(join(sitePackages, pth), root) ?? ""));
  return { name: normalizeName(displayName), displayName, version, importTargets: [...targets].sort(), pthFiles, executablePth, requires };
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
