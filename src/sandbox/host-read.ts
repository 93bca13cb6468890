import { lstatSync, readFileSync, realpathSync } from "node:fs";
import { ScanFailedError } from "../core/errors.ts";

/**
 * Sandboxed code can write anything into the work dir, including symlinks to host files such as
 * the real ~/.ssh/id_rsa. Before pipcanary reads a path the sandbox could have touched, every
 * component must be a real directory or file inside `root`: no symlink anywhere.
 */
export function isPlainPathInside(path: string, root: string): boolean {
  let resolved: string;
  try {
    resolved = realpathSync(path);
  } catch {
    return false;
  }
  return resolved === path && resolved.startsWith(`${root}/`);
}

/** Reads a regular file that must lie, symlink-free, inside `root`; undefined when absent. */
export function readPlainFile(path: string, root: string): string | undefined {
  if (!isPlainPathInside(path, root)) return undefined;
  if (!lstatSync(path).isFile()) return undefined;
  return readFileSync(path, "utf8");
}

/** Throws when a directory pipcanary is about to use was swapped for a link out of the sandbox's area. */
export function requirePlainDirectory(path: string, root: string): void {
  if (!isPlainPathInside(path, root) || !lstatSync(path).isDirectory()) {
    throw new ScanFailedError(`${path} is no longer a plain directory inside the scan's work dir; the scan was tampered with`);
  }
}
