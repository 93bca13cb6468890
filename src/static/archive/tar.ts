import { boundedDecompress } from "./inflate.ts";
import { checkEntryPath, checkLinkTarget } from "./paths.ts";
import type { ArchiveEntry, ArchiveIssue, ArchiveLimits, ArchiveReader, EntryType } from "./types.ts";

/**
 * A tar reader for sdists (.tar.gz/.tgz/.tar). Written here rather than taken from nanotar, which
 * sanitises names (hiding `..` and absolute paths we must report), drops link targets, ignores
 * the ustar prefix field and inflates without a size cap. Headers are checksum-verified.
 */
const BLOCK = 512;
const TYPE_SPECIAL = new Set(["3", "4", "6"]);

class TarCorrupt extends Error {}

export function openTar(compressed: Uint8Array, archiveName: string, limits: ArchiveLimits): ArchiveReader {
  const issues: ArchiveIssue[] = [];
  const data = new Map<ArchiveEntry, Uint8Array>();
  const entries: ArchiveEntry[] = [];
  const reader: ArchiveReader = {
    kind: "tar",
    entries,
    issues,
    read: (entry, limit) => {
      const bytes = data.get(entry);
      if (bytes === undefined) return undefined;
      return { bytes: bytes.length > limit ? bytes.subarray(0, limit) : bytes, truncated: bytes.length > limit };
    },
    close: () => data.clear(),
  };
  const tar = decompress(compressed, archiveName, limits, issues);
  if (tar === undefined) return reader;
  try {
    parseTar(tar, archiveName, limits, issues, (entry, bytes) => {
      entries.push(entry);
      if (bytes !== undefined) data.set(entry, bytes);
    });
  } catch (error) {
    if (!(error instanceof TarCorrupt)) throw error;
    issues.push({ problem: "corrupt", file: archiveName, detail: `not a readable tar archive: ${error.message}` });
  }
  return reader;
}

function decompress(compressed: Uint8Array, archiveName: string, limits: ArchiveLimits, issues: ArchiveIssue[]): Uint8Array | undefined {
  if (compressed[0] === 0x1f && compressed[1] === 0x8b) {
    const result = boundedDecompress("gzip", (offset, length) => compressed.subarray(offset, offset + length), compressed.length, limits.maxTarBytes);
    if (result.error !== undefined) {
      issues.push({ problem: "corrupt", file: archiveName, detail: `gzip data is damaged: ${result.error}` });
      return undefined;
    }
    if (result.truncated) {
      issues.push({ problem: "too-large", file: archiveName, detail: `inflates to more than ${limits.maxTarBytes} bytes` });
      return undefined;
    }
    const trailer = gzipTrailerProblem(compressed, result.bytes);
    if (trailer !== undefined) {
      issues.push({ problem: "corrupt", file: archiveName, detail: `gzip data is damaged: ${trailer}` });
      return undefined;
    }
    return result.bytes;
  }
  if (compressed.length >= 262 && new TextDecoder().decode(compressed.subarray(257, 262)) === "ustar") return compressed;
  const kind = compressed[0] === 0x42 && compressed[1] === 0x5a ? "bzip2" : compressed[0] === 0xfd && compressed[1] === 0x37 ? "xz" : "unknown";
  issues.push({ problem: "unsupported-entry", file: archiveName, detail: `archive compression (${kind}) is not supported; pipcanary cannot inspect it` });
  return undefined;
}

/** fflate does not check the gzip trailer; a truncated or altered stream must not pass as whole. */
function gzipTrailerProblem(compressed: Uint8Array, output: Uint8Array): string | undefined {
  if (compressed.length < 18) return "the stream is truncated";
  const view = new DataView(compressed.buffer, compressed.byteOffset, compressed.byteLength);
  const crc = view.getUint32(compressed.length - 8, true);
  const size = view.getUint32(compressed.length - 4, true);
  if (size !== output.length % 2 ** 32) return "the stream is truncated or its size does not match";
  if (crc !== Bun.hash.crc32(output)) return "checksum mismatch";
  return undefined;
}

interface PendingNames {
  path: string | undefined;
  linkpath: string | undefined;
  size: number | undefined;
}

function parseTar(
  tar: Uint8Array,
  archiveName: string,
  limits: ArchiveLimits,
  issues: ArchiveIssue[],
  add: (entry: ArchiveEntry, bytes: Uint8Array | undefined) => void,
): void {
  let pos = 0;
  let count = 0;
  let pending: PendingNames = { path: undefined, linkpath: undefined, size: undefined };
  while (pos + BLOCK <= tar.length) {
    const header = tar.subarray(pos, pos + BLOCK);
    if (header.every((byte) => byte === 0)) return;
    verifyChecksum(header, pos);
    const type = String.fromCharCode(header[156] ?? 0);
    const size = pending.size ?? readNumber(header.subarray(124, 136), pos);
    const dataStart = pos + BLOCK;
    const dataEnd = dataStart + size;
    if (dataEnd > tar.length) throw new TarCorrupt(`member at offset ${pos} is truncated`);
    const body = tar.subarray(dataStart, dataEnd);
    pos = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    if (type === "x") {
      pending = { ...pending, ...parsePax(body) };
      continue;
    }
    if (type === "g") continue;
    if (type === "L") {
      pending.path = cString(body);
      continue;
    }
    if (type === "K") {
      pending.linkpath = cString(body);
      continue;
    }
    count++;
    if (count > limits.maxEntries) {
      issues.push({ problem: "too-many-entries", file: archiveName, detail: `more than ${limits.maxEntries} entries` });
      return;
    }
    const rawPath = pending.path ?? headerName(header);
    const linkTarget = pending.linkpath ?? cString(header.subarray(157, 257));
    pending = { path: undefined, linkpath: undefined, size: undefined };
    const checked = checkEntryPath(rawPath);
    if (!checked.ok) {
      issues.push(checked.issue);
      continue;
    }
    const entryType = entryTypeOf(type);
    const entry: ArchiveEntry = {
      rawPath,
      path: checked.path,
      type: entryType,
      size,
      linkTarget: entryType === "symlink" || entryType === "hardlink" ? linkTarget : undefined,
      readable: entryType === "file",
    };
    if (entryType === "symlink" || entryType === "hardlink") {
      const problem = checkLinkTarget(entry.path, linkTarget, entryType);
      if (problem) issues.push(problem);
    } else if (entryType === "special") {
      issues.push({ problem: "special-file", file: rawPath, detail: `entry "${rawPath}" is a device or pipe` });
    } else if (type === "S") {
      entry.readable = false;
      issues.push({ problem: "unsupported-entry", file: rawPath, detail: `entry "${rawPath}" is a GNU sparse file` });
    }
    add(entry, entry.readable ? body : undefined);
  }
  if (pos < tar.length) throw new TarCorrupt("the archive ends inside a header");
}

function entryTypeOf(type: string): EntryType {
  if (type === "5") return "directory";
  if (type === "2") return "symlink";
  if (type === "1") return "hardlink";
  if (TYPE_SPECIAL.has(type)) return "special";
  // Regular files ("0", "\0", "7") and, as in Python's tarfile, unknown member types.
  return "file";
}

function headerName(header: Uint8Array): string {
  const name = cString(header.subarray(0, 100));
  const magic = new TextDecoder().decode(header.subarray(257, 263));
  // POSIX ustar ("ustar\0") stores long names split into prefix + name; GNU ("ustar ") does not.
  if (magic === "ustar\u0000") {
    const prefix = cString(header.subarray(345, 500));
    if (prefix !== "") return `${prefix}/${name}`;
  }
  return name;
}

function cString(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return new TextDecoder("utf-8", { fatal: false }).decode(end === -1 ? bytes : bytes.subarray(0, end));
}

function readNumber(field: Uint8Array, pos: number): number {
  if (((field[0] ?? 0) & 0x80) !== 0) {
    // GNU base-256 encoding for sizes of 8 GiB and more.
    let value = 0;
    for (let i = 1; i < field.length; i++) value = value * 256 + (field[i] ?? 0);
    if (!Number.isSafeInteger(value)) throw new TarCorrupt(`member at offset ${pos} has an impossible size`);
    return value;
  }
  const text = new TextDecoder().decode(field).replace(/\0.*$/s, "").trim();
  if (text === "") return 0;
  if (!/^[0-7]+$/.test(text)) throw new TarCorrupt(`member at offset ${pos} has a malformed size field`);
  return Number.parseInt(text, 8);
}

function verifyChecksum(header: Uint8Array, pos: number): void {
  const stored = readNumber(header.subarray(148, 156), pos);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : (header[i] ?? 0);
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  if (stored !== unsigned && stored !== signed) throw new TarCorrupt(`header at offset ${pos} has a bad checksum`);
}

/** PAX extended header records: "<length> <key>=<value>\n", where length counts the whole record. */
function parsePax(body: Uint8Array): Partial<PendingNames> {
  const out: Partial<PendingNames> = {};
  let pos = 0;
  const decoder = new TextDecoder("utf-8", { fatal: false });
  while (pos < body.length) {
    const space = body.indexOf(0x20, pos);
    if (space === -1) break;
    const length = Number.parseInt(decoder.decode(body.subarray(pos, space)), 10);
    if (!Number.isInteger(length) || length <= 0 || pos + length > body.length) break;
    const record = decoder.decode(body.subarray(space + 1, pos + length - 1));
    const equals = record.indexOf("=");
    if (equals > 0) {
      const key = record.slice(0, equals);
      const value = record.slice(equals + 1);
      if (key === "path") out.path = value;
      else if (key === "linkpath") out.linkpath = value;
      else if (key === "size" && /^\d+$/.test(value)) out.size = Number(value);
    }
    pos += length;
  }
  return out;
}
