import { readFileSync } from "node:fs";
import { isAbsolute, relative } from "node:path";
import { InputError, type Origin } from "../core/errors.ts";

/** How a file is named in messages and origins: relative to the working directory when inside it. */
export function displayPath(absolutePath: string, cwd: string): string {
  const rel = relative(cwd, absolutePath);
  return rel === "" || rel.startsWith("..") || isAbsolute(rel) ? absolutePath : rel;
}

const REASONS: Record<string, string> = {
  ENOENT: "no such file",
  EISDIR: "it is a directory, not a file",
  EACCES: "permission denied",
  EPERM: "permission denied",
  ENOTDIR: "a part of the path is not a directory",
};

/**
 * Reads a UTF-8 input file. `referencedFrom` is where the file was named (an include line), so
 * the error points at the line to fix.
 */
export function readInputFile(absolutePath: string, shownAs: string, referencedFrom?: Origin): string {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(absolutePath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "";
    const reason = REASONS[code] ?? (error instanceof Error ? error.message : String(error));
    throw new InputError(`cannot read ${shownAs}: ${reason}`, referencedFrom);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new InputError(`cannot read ${shownAs}: it is not UTF-8 text`, referencedFrom);
  }
}
