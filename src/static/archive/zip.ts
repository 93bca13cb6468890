import { boundedDecompress } from "./inflate.ts";
import { checkEntryPath, checkLinkTarget } from "./paths.ts";
import type { ByteSource } from "./source.ts";
import type { ArchiveEntry, ArchiveIssue, ArchiveLimits, ArchiveReader, ReadResult } from "./types.ts";

/**
 * A zip reader that trusts nothing: it lists the central directory (as Python's zipfile and pip do),
 * checks every name and declared size before inflating anything, verifies that local headers agree
 * with the directory, and never inflates more than asked for.
 */
const EOCD_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;
const MAX_COMMENT = 0xffff;
const CP437_HIGH =
  "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0";
const UNIX_HOST = 3;
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;

interface ZipRecord {
  entry: ArchiveEntry;
  nameBytes: Uint8Array;
  method: number;
  flags: number;
  compressedSize: number;
  localOffset: number;
}

class ZipCorrupt extends Error {}

export function openZip(source: ByteSource, archiveName: string, limits: ArchiveLimits): ArchiveReader {
  const issues: ArchiveIssue[] = [];
  const records = new Map<ArchiveEntry, ZipRecord>();
  const entries: ArchiveEntry[] = [];
  try {
    listCentralDirectory(source, archiveName, limits, issues, (record) => {
      records.set(record.entry, record);
      entries.push(record.entry);
    });
    checkOverlaps([...records.values()], archiveName, issues);
  } catch (error) {
    if (!(error instanceof ZipCorrupt)) throw error;
    issues.push({ problem: "corrupt", file: archiveName, detail: `not a readable zip archive: ${error.message}` });
  }
  return {
    kind: "zip",
    entries,
    issues,
    read: (entry, limit) => {
      const record = records.get(entry);
      return record ? readRecord(source, record, limit, issues) : undefined;
    },
    close: () => source.close(),
  };
}

function listCentralDirectory(
  source: ByteSource,
  archiveName: string,
  limits: ArchiveLimits,
  issues: ArchiveIssue[],
  add: (record: ZipRecord) => void,
): void {
  const end = findEndOfCentralDirectory(source);
  if (end.entryCount > limits.maxEntries) {
    issues.push({ problem: "too-many-entries", file: archiveName, detail: `${end.entryCount} entries (the limit is ${limits.maxEntries})` });
    return;
  }
  const directory = source.read(end.directoryOffset, end.directorySize);
  if (directory.length !== end.directorySize) throw new ZipCorrupt("the central directory is truncated");
  const view = new DataView(directory.buffer, directory.byteOffset, directory.byteLength);
  let pos = 0;
  let declaredTotal = 0;
  for (let index = 0; index < end.entryCount; index++) {
    if (pos + 46 > directory.length || view.getUint32(pos, true) !== CENTRAL_SIG) throw new ZipCorrupt(`central directory entry ${index + 1} is damaged`);
    const madeBy = view.getUint16(pos + 4, true);
    const flags = view.getUint16(pos + 8, true);
    const method = view.getUint16(pos + 10, true);
    let compressedSize = view.getUint32(pos + 20, true);
    let size = view.getUint32(pos + 24, true);
    const nameLength = view.getUint16(pos + 28, true);
    const extraLength = view.getUint16(pos + 30, true);
    const commentLength = view.getUint16(pos + 32, true);
    const external = view.getUint32(pos + 38, true);
    let localOffset = view.getUint32(pos + 42, true);
    const nameStart = pos + 46;
    const extraStart = nameStart + nameLength;
    pos = extraStart + extraLength + commentLength;
    if (pos > directory.length) throw new ZipCorrupt(`central directory entry ${index + 1} runs past its end`);
    const nameBytes = directory.subarray(nameStart, extraStart);
    const zip64 = readZip64Extra(directory.subarray(extraStart, extraStart + extraLength), {
      size: size === 0xffffffff,
      compressedSize: compressedSize === 0xffffffff,
      localOffset: localOffset === 0xffffffff,
    });
    size = zip64.size ?? size;
    compressedSize = zip64.compressedSize ?? compressedSize;
    localOffset = (zip64.localOffset ?? localOffset) + end.prefix;
    const rawPath = decodeName(nameBytes, (flags & 0x800) !== 0);
    declaredTotal += size;
    const entry = describeEntry(rawPath, madeBy, external, size, method, flags, issues);
    if (entry === undefined) continue;
    if (entry.type === "symlink") entry.linkTarget = readSymlinkTarget(source, { entry, nameBytes, method, flags, compressedSize, localOffset }, issues);
    if (entry.linkTarget !== undefined) {
      const problem = checkLinkTarget(entry.path, entry.linkTarget, "symlink");
      if (problem) issues.push(problem);
    }
    if (compressedSize > 0 && size / compressedSize > limits.maxEntryRatio && size > limits.ratioMinBytes) {
      issues.push({
        problem: "compression-bomb",
        file: rawPath,
        detail: `entry "${rawPath}" declares ${size} bytes from ${compressedSize} compressed (ratio ${Math.round(size / compressedSize)}:1)`,
      });
    }
    add({ entry, nameBytes, method, flags, compressedSize, localOffset });
  }
  if (declaredTotal > limits.maxZipBytes) {
    issues.push({ problem: "too-large", file: archiveName, detail: `declares ${declaredTotal} uncompressed bytes (the limit is ${limits.maxZipBytes})` });
  }
}

interface EndRecord {
  entryCount: number;
  directorySize: number;
  directoryOffset: number;
  /** Bytes prepended to the archive (self-extracting stubs); offsets inside are shifted by this. */
  prefix: number;
}

function findEndOfCentralDirectory(source: ByteSource): EndRecord {
  const tailLength = Math.min(source.size, MAX_COMMENT + 22);
  const tailStart = source.size - tailLength;
  const tail = source.read(tailStart, tailLength);
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  for (let pos = tail.length - 22; pos >= 0; pos--) {
    if (view.getUint32(pos, true) !== EOCD_SIG) continue;
    const eocdAt = tailStart + pos;
    if (view.getUint16(pos + 4, true) !== 0 || view.getUint16(pos + 6, true) !== 0) throw new ZipCorrupt("multi-disk archives are not supported");
    let entryCount = view.getUint16(pos + 10, true);
    let directorySize = view.getUint32(pos + 12, true);
    let directoryOffset = view.getUint32(pos + 16, true);
    let recordAt = eocdAt;
    if (entryCount === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
      const zip64 = readZip64End(source, eocdAt);
      entryCount = zip64.entryCount;
      directorySize = zip64.directorySize;
      directoryOffset = zip64.directoryOffset;
      recordAt = zip64.recordAt;
    }
    const prefix = recordAt - directorySize - directoryOffset;
    if (prefix < 0) throw new ZipCorrupt("the central directory offset points past the end of the archive");
    return { entryCount, directorySize, directoryOffset: directoryOffset + prefix, prefix };
  }
  throw new ZipCorrupt("no end-of-central-directory record");
}

function readZip64End(source: ByteSource, eocdAt: number): { entryCount: number; directorySize: number; directoryOffset: number; recordAt: number } {
  const locator = source.read(eocdAt - 20, 20);
  const lview = new DataView(locator.buffer, locator.byteOffset, locator.byteLength);
  if (locator.length !== 20 || lview.getUint32(0, true) !== ZIP64_LOCATOR_SIG) throw new ZipCorrupt("zip64 locator missing");
  const recordAt = eocdAt - 20 - 56;
  const record = source.read(recordAt, 56);
  const view = new DataView(record.buffer, record.byteOffset, record.byteLength);
  if (record.length !== 56 || view.getUint32(0, true) !== ZIP64_EOCD_SIG) throw new ZipCorrupt("zip64 end record missing");
  return {
    entryCount: safeNumber(view.getBigUint64(32, true)),
    directorySize: safeNumber(view.getBigUint64(40, true)),
    directoryOffset: safeNumber(view.getBigUint64(48, true)),
    recordAt,
  };
}

function readZip64Extra(
  extra: Uint8Array,
  want: { size: boolean; compressedSize: boolean; localOffset: boolean },
): { size?: number; compressedSize?: number; localOffset?: number } {
  const view = new DataView(extra.buffer, extra.byteOffset, extra.byteLength);
  for (let pos = 0; pos + 4 <= extra.length; ) {
    const id = view.getUint16(pos, true);
    const length = view.getUint16(pos + 2, true);
    if (id === 0x0001) {
      const out: { size?: number; compressedSize?: number; localOffset?: number } = {};
      let field = pos + 4;
      const take = () => {
        if (field + 8 > pos + 4 + length) throw new ZipCorrupt("zip64 extra field is too short");
        const value = safeNumber(view.getBigUint64(field, true));
        field += 8;
        return value;
      };
      if (want.size) out.size = take();
      if (want.compressedSize) out.compressedSize = take();
      if (want.localOffset) out.localOffset = take();
      return out;
    }
    pos += 4 + length;
  }
  if (want.size || want.compressedSize || want.localOffset) throw new ZipCorrupt("zip64 sizes announced but missing");
  return {};
}

function safeNumber(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipCorrupt("a size or offset is impossibly large");
  return Number(value);
}

function decodeName(bytes: Uint8Array, utf8: boolean): string {
  if (utf8) return new TextDecoder("utf-8", { fatal: false }).decode(bytes);
  let out = "";
  for (const byte of bytes) out += byte < 0x80 ? String.fromCharCode(byte) : CP437_HIGH[byte - 0x80];
  return out;
}

function describeEntry(
  rawPath: string,
  madeBy: number,
  external: number,
  size: number,
  method: number,
  flags: number,
  issues: ArchiveIssue[],
): ArchiveEntry | undefined {
  const checked = checkEntryPath(rawPath);
  if (!checked.ok) {
    issues.push(checked.issue);
    return undefined;
  }
  const mode = madeBy >> 8 === UNIX_HOST ? (external >>> 16) & S_IFMT : 0;
  let type: ArchiveEntry["type"] = rawPath.endsWith("/") || mode === S_IFDIR ? "directory" : "file";
  if (mode === S_IFLNK) type = "symlink";
  else if (mode !== 0 && mode !== S_IFDIR && mode !== S_IFREG) {
    type = "special";
    issues.push({ problem: "special-file", file: rawPath, detail: `entry "${rawPath}" is a device, socket or pipe` });
  }
  let readable = true;
  if ((flags & 0x1) !== 0) {
    readable = false;
    issues.push({ problem: "encrypted", file: rawPath, detail: `entry "${rawPath}" is encrypted and cannot be inspected` });
  } else if (method !== 0 && method !== 8 && type !== "directory") {
    readable = false;
    issues.push({ problem: "unsupported-entry", file: rawPath, detail: `entry "${rawPath}" uses compression method ${method}, which pipcanary cannot inspect` });
  }
  return { rawPath, path: checked.path, type, size, linkTarget: undefined, readable };
}

function readSymlinkTarget(source: ByteSource, record: ZipRecord, issues: ArchiveIssue[]): string | undefined {
  const result = readRecord(source, record, 4096, issues);
  return result ? new TextDecoder().decode(result.bytes) : undefined;
}

/** Two directory entries whose data overlap: the construction behind non-recursive zip bombs. */
function checkOverlaps(records: ZipRecord[], archiveName: string, issues: ArchiveIssue[]): void {
  const sorted = [...records].sort((a, b) => a.localOffset - b.localOffset);
  for (let i = 1; i < sorted.length; i++) {
    const previous = sorted[i - 1] as ZipRecord;
    const current = sorted[i] as ZipRecord;
    if (current.localOffset < previous.localOffset + 30 + previous.nameBytes.length + previous.compressedSize) {
      issues.push({
        problem: "overlapping-entries",
        file: archiveName,
        detail: `entries "${previous.entry.rawPath}" and "${current.entry.rawPath}" share compressed data`,
      });
      return;
    }
  }
}

function readRecord(source: ByteSource, record: ZipRecord, limit: number, issues: ArchiveIssue[]): ReadResult | undefined {
  const { entry } = record;
  if (!entry.readable || entry.type === "directory") return undefined;
  const header = source.read(record.localOffset, 30);
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  if (header.length !== 30 || view.getUint32(0, true) !== LOCAL_SIG) {
    issues.push({ problem: "corrupt", file: entry.rawPath, detail: `entry "${entry.rawPath}" has no local header where the directory says` });
    entry.readable = false;
    return undefined;
  }
  const nameLength = view.getUint16(26, true);
  const extraLength = view.getUint16(28, true);
  const localName = source.read(record.localOffset + 30, nameLength);
  if (!sameBytes(localName, record.nameBytes)) {
    issues.push({ problem: "corrupt", file: entry.rawPath, detail: `entry "${entry.rawPath}" has a different name in its local header` });
    entry.readable = false;
    return undefined;
  }
  const dataStart = record.localOffset + 30 + nameLength + extraLength;
  if (dataStart + record.compressedSize > source.size) {
    issues.push({ problem: "corrupt", file: entry.rawPath, detail: `entry "${entry.rawPath}" is truncated` });
    entry.readable = false;
    return undefined;
  }
  const cap = Math.min(limit, entry.size);
  if (record.method === 0) {
    if (record.compressedSize !== entry.size) {
      issues.push({ problem: "size-mismatch", file: entry.rawPath, detail: `stored entry "${entry.rawPath}" declares two different sizes` });
    }
    const bytes = source.read(dataStart, Math.min(cap, record.compressedSize));
    return { bytes, truncated: entry.size > limit };
  }
  const result = boundedDecompress("deflate", (offset, length) => source.read(dataStart + offset, length), record.compressedSize, cap);
  if (result.error !== undefined) {
    issues.push({ problem: "corrupt", file: entry.rawPath, detail: `entry "${entry.rawPath}" does not inflate: ${result.error}` });
    entry.readable = false;
    return undefined;
  }
  if (result.truncated && cap === entry.size) {
    issues.push({ problem: "size-mismatch", file: entry.rawPath, detail: `entry "${entry.rawPath}" inflates to more than its declared ${entry.size} bytes` });
    entry.readable = false;
    return undefined;
  }
  return { bytes: result.bytes, truncated: result.truncated || entry.size > limit };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
