import { readFileSync } from "node:fs";
import { ScanFailedError, errorMessage } from "../../core/errors.ts";
import { type ByteSource, fileSource, memorySource } from "./source.ts";
import { openTar } from "./tar.ts";
import { type ArchiveLimits, type ArchiveReader, DEFAULT_LIMITS } from "./types.ts";
import { openZip } from "./zip.ts";

export type ArchiveInput = { path: string } | { bytes: Uint8Array };

const ZIP_NAMES = /\.(whl|zip|egg)$/i;
const TAR_NAMES = /\.(tar\.gz|tgz|tar)$/i;

/**
 * Opens a wheel or sdist for in-memory inspection. Problems with the archive are issues on the
 * reader; only an unreadable file on disk (a pipeline bug, not a package property) throws.
 */
export function openArchive(input: ArchiveInput, filename: string, limits: ArchiveLimits = DEFAULT_LIMITS): ArchiveReader {
  let source: ByteSource;
  try {
    source = "path" in input ? fileSource(input.path) : memorySource(input.bytes);
  } catch (error) {
    throw new ScanFailedError(`cannot read downloaded file ${filename}: ${errorMessage(error)}`);
  }
  const head = source.read(0, 4);
  const isZip = head[0] === 0x50 && head[1] === 0x4b;
  if (ZIP_NAMES.test(filename) || (!TAR_NAMES.test(filename) && isZip)) return openZip(source, filename, limits);
  let bytes: Uint8Array;
  try {
    bytes = "bytes" in input ? input.bytes : readFileSync(input.path);
  } catch (error) {
    throw new ScanFailedError(`cannot read downloaded file ${filename}: ${errorMessage(error)}`);
  } finally {
    source.close();
  }
  return openTar(bytes, filename, limits);
}
