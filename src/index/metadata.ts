import { valid } from "@renovatebot/pep440";
import { normalizeName } from "../core/names.ts";
import { parseTimestamp } from "../core/time.ts";
import { isObject, type JsonObject } from "../core/json.ts";

/**
 * Typed views of the three documents the audit reads: the PyPI JSON API per version and per
 * project, and the PEP 691 simple API (with PEP 700 upload-time). Everything here is untrusted
 * input, read field by field; unknown or missing fields become undefined, never a crash.
 */

export interface ReleaseFile {
  filename: string;
  url: string | undefined;
  version: string | undefined;
  /** UTC; undefined when the index does not say. */
  uploadTime: Date | undefined;
  yanked: boolean;
  requiresPython: string | undefined;
  sha256: string | undefined;
  size: number | undefined;
}

/** One vulnerability as the PyPI JSON API lists it for a version. */
export interface PypiVulnerability {
  id: string;
  aliases: string[];
  fixedIn: string[];
  summary: string | undefined;
  withdrawn: boolean;
}

export interface VersionDocument {
  /** The project's display name (`Flask`), when the document carries it. */
  name: string | undefined;
  files: ReleaseFile[];
  /** Undefined when the source has no vulnerability data (the simple API). */
  vulnerabilities: PypiVulnerability[] | undefined;
  /** `info.requires_dist` of the JSON API (PEP 508 strings); undefined when the source has none. */
  requiresDist: string[] | undefined;
}

export interface ProjectDocument {
  name: string | undefined;
  /** Version → its files. */
  releases: Map<string, ReleaseFile[]>;
}


function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function objects(value: unknown): JsonObject[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

/** PyPI's `upload_time_iso_8601` carries a zone; the older `upload_time` has none and means UTC. */
function uploadTimeOf(file: JsonObject): Date | undefined {
  for (const field of ["upload_time_iso_8601", "upload-time", "upload_time"]) {
    const value = text(file[field]);
    const time = value === undefined ? undefined : parseTimestamp(value);
    if (time) return time;
  }
  return undefined;
}

function readJsonApiFile(file: JsonObject, version: string | undefined, base: string): ReleaseFile | undefined {
  const filename = text(file.filename);
  if (!filename) return undefined;
  const digests = isObject(file.digests) ? file.digests : {};
  return {
    filename,
    url: resolveUrl(text(file.url), base),
    version,
    uploadTime: uploadTimeOf(file),
    yanked: file.yanked === true,
    requiresPython: text(file.requires_python),
    sha256: text(digests.sha256)?.toLowerCase(),
    size: typeof file.size === "number" ? file.size : undefined,
  };
}

function resolveUrl(url: string | undefined, base: string): string | undefined {
  if (url === undefined) return undefined;
  try {
    return new URL(url, base).href;
  } catch {
    return undefined;
  }
}

function readVulnerability(entry: JsonObject): PypiVulnerability | undefined {
  const id = text(entry.id);
  if (!id) return undefined;
  return {
    id,
    aliases: strings(entry.aliases),
    fixedIn: strings(entry.fixed_in),
    summary: text(entry.summary) ?? text(entry.details),
    withdrawn: entry.withdrawn !== undefined && entry.withdrawn !== null && entry.withdrawn !== false,
  };
}

/** `/pypi/<name>/<version>/json`. */
export function readVersionJson(data: unknown, version: string, url: string): VersionDocument {
  const doc = isObject(data) ? data : {};
  const info = isObject(doc.info) ? doc.info : {};
  return {
    name: text(info.name),
    files: objects(doc.urls).flatMap((file) => readJsonApiFile(file, version, url) ?? []),
    vulnerabilities: objects(doc.vulnerabilities).flatMap((entry) => readVulnerability(entry) ?? []),
    requiresDist: Array.isArray(info.requires_dist) ? strings(info.requires_dist) : undefined,
  };
}

/** `/pypi/<name>/json`: the `releases` map (every version with its files). */
export function readProjectJson(data: unknown, url: string): ProjectDocument {
  const doc = isObject(data) ? data : {};
  const info = isObject(doc.info) ? doc.info : {};
  const releases = new Map<string, ReleaseFile[]>();
  if (isObject(doc.releases)) {
    for (const [version, files] of Object.entries(doc.releases)) {
      releases.set(version, objects(files).flatMap((file) => readJsonApiFile(file, version, url) ?? []));
    }
  }
  return { name: text(info.name), releases };
}

/** PEP 691 JSON project page; versions come from PEP 700 `versions` and from the file names. */
export function readSimpleJson(data: unknown, projectName: string, url: string): ProjectDocument {
  const doc = isObject(data) ? data : {};
  const releases = new Map<string, ReleaseFile[]>();
  for (const version of strings(doc.versions)) releases.set(version, []);
  for (const file of objects(doc.files)) {
    const filename = text(file.filename);
    if (!filename) continue;
    const version = versionFromFilename(filename, projectName);
    if (version === undefined) continue;
    const hashes = isObject(file.hashes) ? file.hashes : {};
    const entry: ReleaseFile = {
      filename,
      url: resolveUrl(text(file.url), url),
      version,
      uploadTime: uploadTimeOf(file),
      yanked: file.yanked === true || typeof file.yanked === "string",
      requiresPython: text(file["requires-python"]),
      sha256: text(hashes.sha256)?.toLowerCase(),
      size: typeof file.size === "number" ? file.size : undefined,
    };
    const list = releases.get(version);
    if (list) list.push(entry);
    else releases.set(version, [entry]);
  }
  return { name: text(doc.name), releases };
}

const SDIST_SUFFIXES = [".tar.gz", ".tar.bz2", ".tar.xz", ".tar.Z", ".tgz", ".tar", ".zip"];

/** The version a distribution file belongs to, from its name (wheel or sdist naming rules). */
export function versionFromFilename(filename: string, projectName: string): string | undefined {
  if (filename.endsWith(".whl")) {
    const parts = filename.slice(0, -4).split("-");
    return parts.length >= 5 && normalizeName(parts[0] ?? "") === normalizeName(projectName) ? parts[1] : undefined;
  }
  const suffix = SDIST_SUFFIXES.find((candidate) => filename.toLowerCase().endsWith(candidate.toLowerCase()));
  if (!suffix) return undefined;
  const stem = filename.slice(0, -suffix.length);
  const wanted = normalizeName(projectName);
  // Legacy sdists keep the name's own dashes ("foo-bar-1.0"), so try every dash as the split.
  for (let index = stem.indexOf("-"); index > 0; index = stem.indexOf("-", index + 1)) {
    const version = stem.slice(index + 1);
    if (normalizeName(stem.slice(0, index)) === wanted && valid(version) !== null) return version;
  }
  return undefined;
}
