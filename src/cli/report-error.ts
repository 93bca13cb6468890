import { ExitCode } from "../core/exit-codes.ts";
import { PipcanaryError } from "../core/errors.ts";
import { getLogLevel, writeStderr } from "./output.ts";

/** Options that choose where pipcanary writes: the fix for a path it cannot write. */
const WRITE_LOCATIONS = "--cache-dir, --temporary-directory, -l, --pylock or -t";

const FILE_SYSTEM_CAUSES: Record<string, { cause: string; fix: string }> = {
  EROFS: { cause: "the file system is read-only", fix: `point the option that names this path (${WRITE_LOCATIONS}) at a writable place, or mount the file system read-write` },
  EACCES: { cause: "permission denied", fix: `point the option that names this path (${WRITE_LOCATIONS}) at a place you may write, or fix its permissions` },
  EPERM: { cause: "operation not permitted", fix: `point the option that names this path (${WRITE_LOCATIONS}) at a place you may write, or fix its permissions` },
  ENOSPC: { cause: "no space left on the device", fix: `free some space, or point ${WRITE_LOCATIONS} at another file system` },
  EDQUOT: { cause: "disk quota exceeded", fix: `free some space, or point ${WRITE_LOCATIONS} at another file system` },
};

/** A file-system error with a path that the user can fix (read-only, no permission, full): exit 1 with the fix. */
function fileSystemError(error: unknown): PipcanaryError | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code, path, syscall } = error as NodeJS.ErrnoException;
  const known = code === undefined ? undefined : FILE_SYSTEM_CAUSES[code];
  if (!known || path === undefined) return undefined;
  return new PipcanaryError(`cannot ${syscall ?? "write"} ${path}: ${known.cause}`, ExitCode.InvalidInput, known.fix);
}

/**
 * Prints an error that ended the run and returns the exit code. A PipcanaryError is the user's
 * to fix: its message and hint, no stack; so is a file-system error on a path (read-only, no
 * permission, full). Anything else is a bug: exit 2, stack only at debug.
 */
export async function reportError(error: unknown): Promise<number> {
  const level = getLogLevel();
  const known = error instanceof PipcanaryError ? error : fileSystemError(error);
  if (known) {
    if (level !== "silent") {
      await writeStderr(`pipcanary: error: ${known.message}\n${known.hint ? `pipcanary: hint: ${known.hint}\n` : ""}`);
    }
    return known.exitCode;
  }
  if (level !== "silent") {
    const message = error instanceof Error ? error.message : String(error);
    const stack = level === "debug" && error instanceof Error && error.stack ? `${error.stack}\n` : "";
    await writeStderr(`pipcanary: internal error: ${message}\n${stack}`);
  }
  return ExitCode.ScanFailed;
}
