/**
 * Process exit codes: a user-facing contract, documented in the README and in `--help`.
 * Scripts in CI branch on these, so a value never changes meaning once released.
 */
export const ExitCode = {
  /** Every check passed. */
  Safe: 0,
  /** Invalid argument or input file (message names file:line and the fix). */
  InvalidInput: 1,
  /** The scan itself failed (sandbox, pip or tracing broke); nothing is known about the packages. */
  ScanFailed: 2,
  /** The package index or metadata service could not be reached. */
  IndexUnreachable: 3,
  /** A known vulnerability or a too-recent upload (audit findings). */
  AuditFindings: 4,
  /** Malicious activity detected (static or behavioural). */
  MaliciousActivity: 5,
  /** A precondition is missing (bwrap, strace, python3 with pip), or the environment forbids the sandbox (see `pipcanary doctor`). */
  MissingPrecondition: 6,
  /** Interrupted by Ctrl-C (128 + SIGINT). */
  Interrupted: 130,
  /** Terminated by SIGTERM (128 + SIGTERM). */
  Terminated: 143,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** One line per code, used verbatim in `--help` and mirrored in the README. */
export const EXIT_CODE_HELP: ReadonlyArray<readonly [ExitCodeValue, string]> = [
  [ExitCode.Safe, "all packages appear to be safe"],
  [ExitCode.InvalidInput, "invalid argument or input file"],
  [ExitCode.ScanFailed, "the scan itself failed"],
  [ExitCode.IndexUnreachable, "package index or metadata unreachable, or answering with errors"],
  [ExitCode.AuditFindings, "known vulnerability or too-recent upload"],
  [ExitCode.MaliciousActivity, "malicious activity detected"],
  [ExitCode.MissingPrecondition, "bwrap, strace or python3 with pip missing, or the sandbox forbidden here (see pipcanary doctor)"],
  [ExitCode.Interrupted, "interrupted (SIGINT)"],
  [ExitCode.Terminated, "terminated (SIGTERM)"],
];
