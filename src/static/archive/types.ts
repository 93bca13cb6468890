import type { ArchiveProblem } from "../../core/archive-problem.ts";

export interface ArchiveIssue {
  problem: ArchiveProblem;
  /** The entry as stored in the archive, or the archive's own file name. */
  file: string;
  detail: string;
}

export type EntryType = "file" | "directory" | "symlink" | "hardlink" | "special";

export interface ArchiveEntry {
  /** The name exactly as stored. */
  rawPath: string;
  /** Normalised relative path: no `./`, no empty or `.` segments, `..` resolved inside the archive. */
  path: string;
  type: EntryType;
  /** Declared uncompressed size. */
  size: number;
  /** Symlink or hardlink target as stored. */
  linkTarget: string | undefined;
  /** False when the entry cannot be read (unsupported compression, encrypted). */
  readable: boolean;
}

export interface ReadResult {
  bytes: Uint8Array;
  /** True when the entry holds more than the requested limit. */
  truncated: boolean;
}

/**
 * An archive opened for scanning, entirely in memory or through positioned reads: nothing is
 * extracted to disk. Problems found while listing or reading are appended to `issues`.
 */
export interface ArchiveReader {
  kind: "zip" | "tar";
  entries: ArchiveEntry[];
  issues: ArchiveIssue[];
  /** Reads up to `limit` bytes of a file entry; undefined when it cannot be read (an issue says why). */
  read(entry: ArchiveEntry, limit: number): ReadResult | undefined;
  close(): void;
}

/** Safety limits; every default is far above what real wheels and sdists need. */
export interface ArchiveLimits {
  maxEntries: number;
  /** Sum of the declared uncompressed sizes of a zip. */
  maxZipBytes: number;
  /** Decompressed size of a tar stream (sdists are inflated whole, in memory). */
  maxTarBytes: number;
  /** Declared compression ratio above which a large entry is a bomb (deflate cannot exceed ~1032). */
  maxEntryRatio: number;
  /** Entries smaller than this are never called bombs, whatever their ratio. */
  ratioMinBytes: number;
}

export const DEFAULT_LIMITS: ArchiveLimits = {
  maxEntries: 50_000,
  maxZipBytes: 8 * 1024 ** 3,
  maxTarBytes: 1024 ** 3,
  maxEntryRatio: 200,
  ratioMinBytes: 64 * 1024 ** 2,
};
