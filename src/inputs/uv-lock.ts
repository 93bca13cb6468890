/**
 * uv.lock (lock `version = 1`): `[[package]]` tables with name, version, `source` and the
 * `sdist`/`wheels` files with their hashes. What is scanned is what `uv sync` installs by
 * default minus the dev groups: every package reachable from the project's own entries
 * (editable or virtual sources) through `dependencies` and the extras edges ask for, each with
 * the markers of the edges that lead to it.
 */
import { InputError, type Origin } from "../core/errors.ts";
import { normalizeName } from "../core/names.ts";
import { type LockInput, type LockedPin, lockHash, pinnedRequirement } from "./lock-input.ts";
import { pushUnique } from "./requirements-file.ts";
import { type TomlDocument, type TomlTable, isTable } from "./toml-file.ts";
import { arrayTableKeyLines } from "./toml-locate.ts";

interface Edge {
  name: string;
  version: string | undefined;
  marker: string | undefined;
  extras: string[];
}

interface LockPackage {
  table: TomlTable;
  name: string;
  version: string;
  origin: Origin;
}

const LOCAL_PROJECT = ["editable", "virtual"];

export function readUvLock(doc: TomlDocument): LockInput {
  const data = doc.data;
  const lines = arrayTableKeyLines(doc.text, "package", "name");
  if (data.version !== 1) {
    throw new InputError(`unsupported uv.lock version ${JSON.stringify(data.version)}`, { file: doc.shownAs, line: 1 }, "pipcanary reads uv.lock version 1; run a current uv (uv lock) to rewrite it");
  }
  const tables = Array.isArray(data.package) ? data.package.filter(isTable) : [];
  const packages = tables.map((table, position): LockPackage => {
    const origin = { file: doc.shownAs, line: lines[position] ?? 1 };
    if (typeof table.name !== "string" || table.name === "") throw new InputError("a [[package]] entry has no name", origin);
    return { table, name: table.name, version: typeof table.version === "string" ? table.version : "", origin };
  });
  const byName = new Map<string, LockPackage[]>();
  for (const pkg of packages) byName.set(normalizeName(pkg.name), [...(byName.get(normalizeName(pkg.name)) ?? []), pkg]);
  const roots = packages.filter((pkg) => LOCAL_PROJECT.some((key) => isTable(pkg.table.source) && key in pkg.table.source));
  const conditions = reachable(roots.length > 0 ? roots : packages, byName);

  const requirements = [];
  const indexUrls: string[] = [];
  for (const pkg of packages) {
    const reached = conditions.get(pkg);
    if (!reached || roots.includes(pkg)) continue;
    const pin = pinOf(pkg, reached.has("") ? undefined : [...reached].map((condition) => `(${condition})`).join(" or "));
    requirements.push(pinnedRequirement(pin));
    if (isTable(pkg.table.source) && typeof pkg.table.source.registry === "string") pushUnique(indexUrls, pkg.table.source.registry);
  }
  return { requirements, indexUrls };
}

function edgesOf(value: unknown, origin: Origin): Edge[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new InputError("dependencies must be a list of tables", origin);
  return value.map((entry) => {
    if (!isTable(entry) || typeof entry.name !== "string") throw new InputError("a dependency has no name", origin);
    const extras = Array.isArray(entry.extra) ? entry.extra.filter((extra): extra is string => typeof extra === "string").map(normalizeName) : [];
    return {
      name: normalizeName(entry.name),
      version: typeof entry.version === "string" ? entry.version : undefined,
      marker: typeof entry.marker === "string" && entry.marker.trim() !== "" ? entry.marker : undefined,
      extras,
    };
  });
}

/** Every package reachable from `starts`, with the marker conditions ("" for always) of the paths to it. */
function reachable(starts: readonly LockPackage[], byName: ReadonlyMap<string, LockPackage[]>): Map<LockPackage, Set<string>> {
  const conditions = new Map<LockPackage, Set<string>>();
  const visited = new Map<LockPackage, Set<string>>();
  const visit = (pkg: LockPackage, condition: string, extras: readonly string[], path: readonly LockPackage[]) => {
    const reached = conditions.get(pkg) ?? new Set<string>();
    const seen = visited.get(pkg) ?? new Set<string>();
    conditions.set(pkg, reached);
    visited.set(pkg, seen);
    const key = `${condition}\0${extras.join(",")}`;
    if ((reached.has("") && condition !== "" && extras.length === 0) || path.includes(pkg) || seen.has(key)) return;
    reached.add(condition);
    seen.add(key);
    const optional = isTable(pkg.table["optional-dependencies"]) ? pkg.table["optional-dependencies"] : {};
    const edges = [...edgesOf(pkg.table.dependencies, pkg.origin), ...extras.flatMap((extra) => edgesOf(optional[extra], pkg.origin))];
    for (const edge of edges) {
      const candidates = byName.get(edge.name) ?? [];
      const target = candidates.length === 1 ? candidates[0] : candidates.find((candidate) => candidate.version === edge.version);
      if (!target) throw new InputError(`${pkg.name} depends on ${edge.name}${edge.version ? ` ${edge.version}` : ""}, which the lock does not list`, pkg.origin, "regenerate the lock file (uv lock)");
      const next = [condition, edge.marker].filter((part): part is string => part !== undefined && part !== "");
      visit(target, next.length > 1 ? next.map((part) => `(${part})`).join(" and ") : (next[0] ?? ""), edge.extras, [...path, pkg]);
    }
  };
  for (const start of starts) visit(start, "", [], []);
  return conditions;
}

function pinOf(pkg: LockPackage, marker: string | undefined): LockedPin {
  const source = isTable(pkg.table.source) ? pkg.table.source : {};
  const kind = Object.keys(source)[0] ?? "";
  if (kind !== "registry" && kind !== "url") {
    throw new InputError(
      `${pkg.name} comes from a ${kind || "missing"} source, which pipcanary cannot scan: only registry and URL packages are fixed artifacts`,
      pkg.origin,
      "depend on a released version from an index",
    );
  }
  if (pkg.version === "") throw new InputError(`${pkg.name} has no version`, pkg.origin, "regenerate the lock file (uv lock)");
  const files = [pkg.table.sdist, ...(Array.isArray(pkg.table.wheels) ? pkg.table.wheels : [])].filter(isTable);
  const hashes = files.flatMap((file) => (typeof file.hash === "string" ? [lockHash(file.hash, pkg.origin)] : []));
  const url = kind === "url" && typeof source.url === "string" ? source.url : undefined;
  return { name: pkg.name, version: pkg.version, hashes, marker, url, origin: pkg.origin };
}
