import { ExitCode } from "../core/exit-codes.ts";
import { PipcanaryError } from "../core/errors.ts";
import { getLogLevel, writeStderr } from "./output.ts";

/**
 * Prints an error that ended the run and returns the exit code. A PipcanaryError is the user's
 * to fix: its message and hint, no stack. Anything else is a bug: exit 2, stack only at debug.
 */
export async function reportError(error: unknown): Promise<number> {
  const level = getLogLevel();
  if (error instanceof PipcanaryError) {
    if (level !== "silent") {
      await writeStderr(`pipcanary: error: ${error.message}\n${error.hint ? `pipcanary: hint: ${error.hint}\n` : ""}`);
    }
    return error.exitCode;
  }
  if (level !== "silent") {
    const message = error instanceof Error ? error.message : String(error);
    const stack = level === "debug" && error instanceof Error && error.stack ? `${error.stack}\n` : "";
    await writeStderr(`pipcanary: internal error: ${message}\n${stack}`);
  }
  return ExitCode.ScanFailed;
}
