import { normalizeName } from "../core/names.ts";
import { compareVersions, isValidVersion } from "./versions.ts";
import { isObject } from "../core/json.ts";
import { parseTimestamp } from "../core/time.ts";

/**
 * The parts of an OSV record (https://ossf.github.io/osv-schema/) that the audit evaluates, and
 * the evaluation itself: whether a PyPI version is affected, and which versions fix it.
 */

export interface OsvEvent {
  introduced?: string;
  fixed?: string;
  last_affected?: string;
  limit?: string;
}

export interface OsvRange {
  type: string;
  events: OsvEvent[];
}

export interface OsvAffected {
  package?: { ecosystem?: string; name?: string };
  ranges?: OsvRange[];
  versions?: string[];
}

export interface OsvRecord {
  id: string;
  aliases?: string[];
  summary?: string;
  withdrawn?: string;
  published?: string;
  modified?: string;
  affected?: OsvAffected[];
}

/** Reads an untrusted parsed document as an OSV record; undefined when it is not one. */
export function asOsvRecord(value: unknown): OsvRecord | undefined {
  if (!isObject(value) || typeof value.id !== "string") return undefined;
  const record: OsvRecord = { id: value.id };
  if (Array.isArray(value.aliases)) record.aliases = value.aliases.filter((alias): alias is string => typeof alias === "string");
  if (typeof value.summary === "string") record.summary = value.summary;
  for (const key of ["withdrawn", "published", "modified"] as const) {
    const field = value[key];
    if (typeof field === "string") record[key] = field;
  }
  if (Array.isArray(value.affected)) record.affected = value.affected.filter(isObject).map(readAffected);
  return record;
}

function readAffected(entry: Record<string, unknown>): OsvAffected {
  const affected: OsvAffected = {};
  const pkg = entry.package;
  if (isObject(pkg)) {
    affected.package = {};
    if (typeof pkg.ecosystem === "string") affected.package.ecosystem = pkg.ecosystem;
    if (typeof pkg.name === "string") affected.package.name = pkg.name;
  }
  if (Array.isArray(entry.versions)) affected.versions = entry.versions.map(String);
  if (Array.isArray(entry.ranges)) {
    affected.ranges = entry.ranges.filter(isObject).map((range) => ({
      type: typeof range.type === "string" ? range.type : "",
      events: Array.isArray(range.events) ? range.events.filter(isObject).map(readEvent) : [],
    }));
  }
  return affected;
}

function readEvent(event: Record<string, unknown>): OsvEvent {
  const result: OsvEvent = {};
  for (const key of ["introduced", "fixed", "last_affected", "limit"] as const) {
    const value = event[key];
    if (typeof value === "string" || typeof value === "number") result[key] = String(value);
  }
  return result;
}


/** OpenSSF malicious-packages records (osv.dev serves them with the other advisories) have `MAL-` ids. */
export function isMalwareId(id: string): boolean {
  return id.toUpperCase().startsWith("MAL-");
}

/** The affected entries of a record that are about this PyPI project. */
export function affectedEntriesFor(record: OsvRecord, name: string): OsvAffected[] {
  const wanted = normalizeName(name);
  return (record.affected ?? []).filter(
    (entry) => entry.package?.ecosystem === "PyPI" && entry.package.name !== undefined && normalizeName(entry.package.name) === wanted,
  );
}

/** True when `version` of project `name` is affected by the record. */
export function isAffected(record: OsvRecord, name: string, version: string): boolean {
  if (!isValidVersion(version)) return false;
  return affectedEntriesFor(record, name).some((entry) => entryAffects(entry, version));
}

function entryAffects(entry: OsvAffected, version: string): boolean {
  if ((entry.versions ?? []).some((listed) => compareVersions(listed, version) === 0)) return true;
  return (entry.ranges ?? []).some((range) => range.type === "ECOSYSTEM" && rangeAffects(range.events, version));
}

/** `introduced: "0"` means "from the first version": it sorts before every real version. */
function eventVersion(event: OsvEvent): string | undefined {
  return event.introduced ?? event.fixed ?? event.last_affected ?? event.limit;
}

function compareEvents(a: OsvEvent, b: OsvEvent): number {
  const left = eventVersion(a) ?? "";
  const right = eventVersion(b) ?? "";
  if (a.introduced === "0" || b.introduced === "0") return Number(b.introduced === "0") - Number(a.introduced === "0");
  return compareVersions(left, right) ?? 0;
}

/**
 * The OSV schema's evaluation: walk the events in version order, whatever order the record lists
 * them in; an `introduced` at or below the version opens the range, a `fixed` at or below it (or a
 * `last_affected` below it) closes it. A `limit` bounds the whole range from above.
 */
export function rangeAffects(events: readonly OsvEvent[], version: string): boolean {
  const usable = events.filter((event) => {
    const at = eventVersion(event);
    return at !== undefined && (event.introduced === "0" || isValidVersion(at));
  });
  const limits = usable.flatMap((event) => (event.limit !== undefined ? [event.limit] : []));
  if (limits.length > 0 && limits.every((limit) => (compareVersions(version, limit) ?? 1) >= 0)) return false;
  let affected = false;
  for (const event of [...usable].sort(compareEvents)) {
    if (event.introduced !== undefined) {
      if (event.introduced === "0" || (compareVersions(version, event.introduced) ?? -1) >= 0) affected = true;
    } else if (event.fixed !== undefined) {
      if ((compareVersions(version, event.fixed) ?? -1) >= 0) affected = false;
    } else if (event.last_affected !== undefined) {
      if ((compareVersions(version, event.last_affected) ?? -1) > 0) affected = false;
    }
  }
  return affected;
}

/** The `fixed` versions a record names for this project, in the record's order, without repeats. */
export function fixedVersionsFor(record: OsvRecord, name: string): string[] {
  const fixed: string[] = [];
  for (const entry of affectedEntriesFor(record, name)) {
    for (const range of entry.ranges ?? []) {
      if (range.type !== "ECOSYSTEM") continue;
      for (const event of range.events) {
        if (event.fixed !== undefined && !fixed.includes(event.fixed)) fixed.push(event.fixed);
      }
    }
  }
  return fixed;
}

/**
 * Oldest published first (the order PyPI lists them in), then by id: an export's file order or
 * a service's answer order is no order at all, and output must be the same on every run.
 */
export function byPublication(a: OsvRecord, b: OsvRecord): number {
  const published = (record: OsvRecord) => (record.published ? (parseTimestamp(record.published)?.getTime() ?? 0) : 0);
  return published(a) - published(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
