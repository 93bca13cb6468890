import { ExitCode } from "../core/exit-codes.ts";
import { PipcanaryError } from "../core/errors.ts";

/**
 * A command or option whose stage has not landed yet. It fails loudly (exit 2, "the scan itself
 * failed") instead of silently doing nothing, after every option and input has been validated.
 */
export class NotImplementedError extends PipcanaryError {
  constructor(what: string, hint?: string) {
    super(`${what}: not implemented yet`, ExitCode.ScanFailed, hint);
    this.name = "NotImplementedError";
  }
}
