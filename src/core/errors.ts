import { ExitCode, type ExitCodeValue } from "./exit-codes.ts";

/**
 * An error the user can cause or fix. `main` prints `message` (and `hint`) without a stack
 * trace and exits with `exitCode`. Anything else that escapes is a bug and exits ScanFailed.
 */
export class PipcanaryError extends Error {
  readonly exitCode: ExitCodeValue;
  readonly hint: string | undefined;

  constructor(message: string, exitCode: ExitCodeValue, hint?: string) {
    super(message);
    this.name = "PipcanaryError";
    this.exitCode = exitCode;
    this.hint = hint;
  }
}

/** A place in an input file, for messages of the form `requirements.txt:12: …`. */
export interface Origin {
  file: string;
  line: number;
}

export function formatOrigin(origin: Origin): string {
  return `${origin.file}:${origin.line}`;
}

export class InputError extends PipcanaryError {
  readonly origin: Origin | undefined;

  constructor(message: string, origin?: Origin, hint?: string) {
    super(origin ? `${formatOrigin(origin)}: ${message}` : message, ExitCode.InvalidInput, hint);
    this.name = "InputError";
    this.origin = origin;
  }
}

export class ScanFailedError extends PipcanaryError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.ScanFailed, hint);
    this.name = "ScanFailedError";
  }
}

export class IndexUnreachableError extends PipcanaryError {
  constructor(
    readonly url: string,
    readonly reason: string,
    hint = "check --index-url, your proxy settings, or use --offline with a warm cache",
  ) {
    super(`cannot reach ${url}: ${reason}`, ExitCode.IndexUnreachable, hint);
    this.name = "IndexUnreachableError";
  }
}

/**
 * The package index answered, but not with what was asked for: a server error, a page that is
 * not an index page, a download that broke off or whose hash is not the expected one.
 */
export class IndexAnswerError extends PipcanaryError {
  constructor(message: string, hint: string) {
    super(message, ExitCode.IndexUnreachable, hint);
    this.name = "IndexAnswerError";
  }
}

export class MissingPreconditionError extends PipcanaryError {
  constructor(what: string, installCommand: string) {
    super(`${what} is required but was not found`, ExitCode.MissingPrecondition, `install it with: ${installCommand}`);
    this.name = "MissingPreconditionError";
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
