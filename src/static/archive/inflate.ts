import { Gunzip, Inflate } from "fflate";
import { errorMessage } from "../../core/errors.ts";

/**
 * Compressed input is pushed in small chunks so that one push can never produce more than about
 * 1032 × CHUNK bytes (deflate's maximum ratio); decompression stops as soon as `limit` is passed.
 */
const CHUNK = 16 * 1024;

export interface BoundedResult {
  bytes: Uint8Array;
  /** More output existed beyond `limit`. */
  truncated: boolean;
  /** Set when the compressed data is damaged. */
  error: string | undefined;
}

/** Reads compressed bytes `[offset, offset + length)` of some source. */
export type ChunkSource = (offset: number, length: number) => Uint8Array;

export function boundedDecompress(format: "deflate" | "gzip", source: ChunkSource, compressedSize: number, limit: number): BoundedResult {
  const parts: Uint8Array[] = [];
  let produced = 0;
  const onData = (chunk: Uint8Array) => {
    if (produced <= limit) parts.push(chunk);
    produced += chunk.length;
  };
  const stream = format === "deflate" ? new Inflate(onData) : new Gunzip(onData);
  try {
    for (let offset = 0; offset < compressedSize && produced <= limit; offset += CHUNK) {
      const length = Math.min(CHUNK, compressedSize - offset);
      stream.push(source(offset, length), offset + length >= compressedSize);
    }
  } catch (error) {
    return { bytes: concat(parts, Math.min(produced, limit)), truncated: false, error: errorMessage(error) };
  }
  return { bytes: concat(parts, Math.min(produced, limit)), truncated: produced > limit, error: undefined };
}

export function concat(parts: readonly Uint8Array[], size: number): Uint8Array {
  if (parts.length === 1 && parts[0]?.length === size) return parts[0];
  const out = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    if (offset >= size) break;
    const take = Math.min(part.length, size - offset);
    out.set(take === part.length ? part : part.subarray(0, take), offset);
    offset += take;
  }
  return out;
}
