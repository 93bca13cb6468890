import { closeSync, fstatSync, openSync, readSync } from "node:fs";

/** Positioned reads over an archive file or an in-memory buffer. */
export interface ByteSource {
  size: number;
  read(offset: number, length: number): Uint8Array;
  close(): void;
}

export function fileSource(path: string): ByteSource {
  const fd = openSync(path, "r");
  const size = fstatSync(fd).size;
  return {
    size,
    read(offset, length) {
      const want = Math.max(0, Math.min(length, size - offset));
      const buffer = new Uint8Array(want);
      let done = 0;
      while (done < want) {
        const got = readSync(fd, buffer, done, want - done, offset + done);
        if (got === 0) break;
        done += got;
      }
      return done === want ? buffer : buffer.subarray(0, done);
    },
    close: () => closeSync(fd),
  };
}

export function memorySource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read: (offset, length) => bytes.subarray(Math.max(0, offset), Math.max(0, Math.min(bytes.length, offset + length))),
    close: () => undefined,
  };
}
