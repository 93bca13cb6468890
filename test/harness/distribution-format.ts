import { createHash } from "node:crypto";
import type { FixtureFile } from "./types.ts";

export type FileContent = string | Uint8Array;

/** Python sources and metadata are UTF-8 text; tests may also pass raw bytes. */
export function toBytes(content: FileContent): Uint8Array {
  return typeof content === "string" ? new TextEncoder().encode(content) : content;
}

export function sha256Hex(content: Uint8Array): string {
  return createHash("sha256").update(content).digest("hex");
}

/** The digest form of a wheel RECORD line: urlsafe base64 without padding. */
export function sha256RecordDigest(content: Uint8Array): string {
  return createHash("sha256").update(content).digest("base64url");
}

/** A built file, ready to serve; carries the Requires-Python of its metadata so the index shows it too. */
export function builtFile(filename: string, content: Uint8Array, requiresPython?: string): FixtureFile {
  const file: FixtureFile = { filename, content, sha256: sha256Hex(content) };
  if (requiresPython) file.requiresPython = requiresPython;
  return file;
}

/**
 * The file-name form of a project name in wheels and sdists (binary distribution format, PEP 625):
 * runs of `-`, `_` and `.` become one `_`, lower-cased.
 */
export function escapeDistName(name: string): string {
  return name.replace(/[-_.]+/g, "_").toLowerCase();
}

/** Core metadata (METADATA, PKG-INFO) as RFC 822 headers. */
export interface CoreMetadata {
  name: string;
  version: string;
  summary?: string;
  requires?: string[];
  requiresPython?: string;
}

export function coreMetadata(meta: CoreMetadata): string {
  const lines = ["Metadata-Version: 2.1", `Name: ${meta.name}`, `Version: ${meta.version}`];
  lines.push(`Summary: ${meta.summary ?? `Fixture package ${meta.name}`}`);
  if (meta.requiresPython) lines.push(`Requires-Python: ${meta.requiresPython}`);
  for (const requirement of meta.requires ?? []) lines.push(`Requires-Dist: ${requirement}`);
  return `${lines.join("\n")}\n\n`;
}

/** Fixed archive timestamp so the same spec always yields the same bytes and sha256. */
export const FIXED_MTIME = new Date("2020-02-02T00:00:00Z");
