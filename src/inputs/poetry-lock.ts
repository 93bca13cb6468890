/**
 * poetry.lock (lock-version 2.x): `[[package]]` tables with name, version, `files = [{file,
 * hash}]`, an optional `[package.source]` (none means PyPI) and, from 2.1 on, `groups` and
 * `markers`. Scanned by default as Poetry installs without options would minus the non-main
 * groups: packages of the main group that are not optional (an optional package belongs to an
 * extra, and extras are not scanned unless asked for).
 */
import { InputError } from "../core/errors.ts";
import { type LockInput, lockHash, pinnedRequirement } from "./lock-input.ts";
import { pushUnique } from "./requirements-file.ts";
import { type TomlDocument, type TomlTable, isTable } from "./toml-file.ts";
import { arrayTableKeyLines } from "./toml-locate.ts";

/** A package without `[package.source]` comes from PyPI. */
const PYPI_SIMPLE = "https://pypi.org/simple";

export function readPoetryLock(doc: TomlDocument): LockInput {
  const metadata = isTable(doc.data.metadata) ? doc.data.metadata : {};
  const lockVersion = metadata["lock-version"];
  if (typeof lockVersion !== "string" || !/^2(\.\d+)?$/.test(lockVersion)) {
    throw new InputError(`unsupported poetry.lock lock-version ${JSON.stringify(lockVersion)}`, { file: doc.shownAs, line: 1 }, "pipcanary reads poetry.lock 2.x; run a current Poetry (poetry lock) to rewrite it");
  }
  const lines = arrayTableKeyLines(doc.text, "package", "name");
  const requirements = [];
  const indexUrls: string[] = [];
  const tables = Array.isArray(doc.data.package) ? doc.data.package.filter(isTable) : [];
  for (const [position, table] of tables.entries()) {
    const origin = { file: doc.shownAs, line: lines[position] ?? 1 };
    if (typeof table.name !== "string" || typeof table.version !== "string") throw new InputError("a [[package]] entry has no name or version", origin);
    if (table.optional === true) continue;
    if (Array.isArray(table.groups) && !table.groups.includes("main")) continue;
    const source = isTable(table.source) ? table.source : undefined;
    const kind = source?.type;
    if (source !== undefined && kind !== "legacy" && kind !== "url") {
      throw new InputError(`${table.name} comes from a ${String(kind)} source, which pipcanary cannot scan: only index and URL packages are fixed artifacts`, origin, "depend on a released version from an index");
    }
    const url = kind === "url" && typeof source?.url === "string" ? source.url : undefined;
    if (kind === "legacy" && typeof source?.url === "string") pushUnique(indexUrls, source.url);
    else if (url === undefined) pushUnique(indexUrls, PYPI_SIMPLE);
    const files = Array.isArray(table.files) ? table.files.filter(isTable) : [];
    const hashes = files.flatMap((file) => (typeof file.hash === "string" ? [lockHash(file.hash, origin)] : []));
    requirements.push(pinnedRequirement({ name: table.name, version: table.version, hashes, marker: markerOf(table), url, origin }));
  }
  return { requirements, indexUrls };
}

/** `markers` is one string, or (2.1) a table of markers per group, of which the main one applies. */
function markerOf(table: TomlTable): string | undefined {
  const markers = table.markers;
  if (typeof markers === "string") return markers.trim() === "" ? undefined : markers;
  if (isTable(markers) && typeof markers.main === "string") return markers.main;
  return undefined;
}
