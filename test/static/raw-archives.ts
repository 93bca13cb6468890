import { deflateSync, gzipSync } from "fflate";

/**
 * Hand-made zip and tar archives with the defects no normal builder produces (traversal names,
 * links, lying sizes, shared data), for the archive-safety tests.
 */
export interface RawZipEntry {
  name: string;
  data?: string | Uint8Array;
  /** 0 stored, 8 deflate, anything else is written as-is (the data stays uncompressed). */
  method?: number;
  flags?: number;
  /** Unix mode for the external attributes (e.g. 0o120777 for a symlink). */
  mode?: number;
  /** Uncompressed size written in the headers instead of the real one. */
  declaredSize?: number;
  /** Point this directory entry at the local header of an earlier entry (overlapping data). */
  shareDataWith?: number;
}

const encoder = new TextEncoder();
const bytesOf = (data: string | Uint8Array | undefined) => (typeof data === "string" ? encoder.encode(data) : (data ?? new Uint8Array()));

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = (CRC_TABLE[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

export interface RawZipOptions {
  /** Write the end of the central directory as zip64 records (0xFFFF counts in the classic record). */
  zip64?: boolean;
}

export function rawZip(entries: readonly RawZipEntry[], options: RawZipOptions = {}): Uint8Array {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  const offsets: number[] = [];
  let offset = 0;
  entries.forEach((entry, index) => {
    const name = encoder.encode(entry.name);
    const data = bytesOf(entry.data);
    const method = entry.method ?? 8;
    const stored = method === 8 ? deflateSync(data) : data;
    const size = entry.declaredSize ?? data.length;
    const crc = crc32(data);
    const flags = (entry.flags ?? 0) | 0x800;
    let localOffset = offset;
    if (entry.shareDataWith !== undefined) {
      localOffset = offsets[entry.shareDataWith] as number;
    } else {
      const local = new Uint8Array(30 + name.length + stored.length);
      const view = new DataView(local.buffer);
      view.setUint32(0, 0x04034b50, true);
      view.setUint16(4, 20, true);
      view.setUint16(6, flags, true);
      view.setUint16(8, method, true);
      view.setUint32(14, crc, true);
      view.setUint32(18, stored.length, true);
      view.setUint32(22, size, true);
      view.setUint16(26, name.length, true);
      local.set(name, 30);
      local.set(stored, 30 + name.length);
      locals.push(local);
      offset += local.length;
    }
    offsets[index] = localOffset;
    const shared = entry.shareDataWith !== undefined ? entries[entry.shareDataWith] : undefined;
    const compressedSize = shared ? (shared.method === 0 ? bytesOf(shared.data).length : deflateSync(bytesOf(shared.data)).length) : stored.length;
    const central = new Uint8Array(46 + name.length);
    const view = new DataView(central.buffer);
    view.setUint32(0, 0x02014b50, true);
    view.setUint16(4, (3 << 8) | 20, true);
    view.setUint16(6, 20, true);
    view.setUint16(8, flags, true);
    view.setUint16(10, method, true);
    view.setUint32(16, crc, true);
    view.setUint32(20, compressedSize, true);
    view.setUint32(24, size, true);
    view.setUint16(28, name.length, true);
    view.setUint32(38, ((entry.mode ?? 0o100644) << 16) >>> 0, true);
    view.setUint32(42, localOffset, true);
    central.set(name, 46);
    centrals.push(central);
  });
  const directorySize = centrals.reduce((sum, c) => sum + c.length, 0);
  const tail: Uint8Array[] = [];
  if (options.zip64) {
    const record = new Uint8Array(56);
    const rv = new DataView(record.buffer);
    rv.setUint32(0, 0x06064b50, true);
    rv.setBigUint64(4, 44n, true);
    rv.setUint16(12, 45, true);
    rv.setUint16(14, 45, true);
    rv.setBigUint64(24, BigInt(entries.length), true);
    rv.setBigUint64(32, BigInt(entries.length), true);
    rv.setBigUint64(40, BigInt(directorySize), true);
    rv.setBigUint64(48, BigInt(offset), true);
    const locator = new Uint8Array(20);
    const lv = new DataView(locator.buffer);
    lv.setUint32(0, 0x07064b50, true);
    lv.setBigUint64(8, BigInt(offset + directorySize), true);
    lv.setUint32(16, 1, true);
    tail.push(record, locator);
  }
  const end = new Uint8Array(22);
  const view = new DataView(end.buffer);
  view.setUint32(0, 0x06054b50, true);
  view.setUint16(8, options.zip64 ? 0xffff : entries.length, true);
  view.setUint16(10, options.zip64 ? 0xffff : entries.length, true);
  view.setUint32(12, options.zip64 ? 0xffffffff : directorySize, true);
  view.setUint32(16, options.zip64 ? 0xffffffff : offset, true);
  return concatAll([...locals, ...centrals, ...tail, end]);
}

export interface RawTarEntry {
  name: string;
  data?: string | Uint8Array;
  /** "0" file, "1" hardlink, "2" symlink, "3" character device, "5" directory, "x" PAX header. */
  type?: string;
  linkname?: string;
  /** ustar prefix field (long names are split into prefix + name). */
  prefix?: string;
}

export function rawTar(entries: readonly RawTarEntry[]): Uint8Array {
  const blocks: Uint8Array[] = [];
  for (const entry of entries) {
    const data = bytesOf(entry.data);
    const header = new Uint8Array(512);
    const put = (offset: number, text: string) => header.set(encoder.encode(text), offset);
    put(0, entry.name);
    put(100, "0000644\0");
    put(108, "0000000\0");
    put(116, "0000000\0");
    put(124, `${data.length.toString(8).padStart(11, "0")}\0`);
    put(136, "00000000000\0");
    put(156, entry.type ?? "0");
    put(157, entry.linkname ?? "");
    put(257, "ustar\u000000");
    put(345, entry.prefix ?? "");
    header.fill(0x20, 148, 156);
    const sum = header.reduce((total, byte) => total + byte, 0);
    put(148, `${sum.toString(8).padStart(6, "0")}\0 `);
    blocks.push(header);
    if (data.length > 0) {
      const padded = new Uint8Array(Math.ceil(data.length / 512) * 512);
      padded.set(data);
      blocks.push(padded);
    }
  }
  blocks.push(new Uint8Array(1024));
  return concatAll(blocks);
}

export function rawTarGz(entries: readonly RawTarEntry[]): Uint8Array {
  return gzipSync(rawTar(entries));
}

function concatAll(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
