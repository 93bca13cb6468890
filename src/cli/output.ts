/**
 * Where pipcanary writes: results to stdout, progress and diagnostics to stderr through one
 * consola logger that honours --log-level.
 */
import { type ConsolaReporter, type LogObject, createConsola } from "consola/core";
import { resolve } from "node:path";
import { formatWithOptions } from "node:util";
import { errorMessage, InputError } from "../core/errors.ts";
import { onCleanup } from "../core/cleanup.ts";
import { writeFileAtomic } from "../core/atomic-write.ts";
import { onSlowRequest } from "../index/http.ts";
import { StderrProgress } from "../report/progress.ts";
import pkg from "../../package.json" with { type: "json" };
import { buildFailureModel, type ReportCommand, type ReportModel } from "../report/model.ts";
import { renderReport } from "../report/render.ts";
import { type LogLevel, OUTPUT_FORMATS, type OutputFormat, type OutputTarget, type ResolvedOptions } from "./options.ts";

const CONSOLA_LEVELS: Record<LogLevel, number> = { silent: Number.NEGATIVE_INFINITY, error: 0, warn: 1, info: 3, debug: 4 };

const PREFIXES: Partial<Record<string, string>> = {
  fatal: "pipcanary: error: ",
  error: "pipcanary: error: ",
  warn: "pipcanary: warning: ",
  debug: "pipcanary: debug: ",
  trace: "pipcanary: trace: ",
};

/** A live status line on stderr (the progress display) that log lines must not tear. */
export interface StatusLine {
  /** Clears the line before something else is written to stderr. */
  clear(): void;
  /** Draws it again afterwards. */
  redraw(): void;
}

let statusLine: StatusLine | undefined;

function setStatusLine(line: StatusLine | undefined): void {
  statusLine = line;
}

const stderrReporter: ConsolaReporter = {
  log(entry: LogObject) {
    const text = formatWithOptions({ colors: false }, ...entry.args);
    statusLine?.clear();
    process.stderr.write(`${PREFIXES[entry.type] ?? ""}${text}\n`);
    statusLine?.redraw();
  },
};

export const logger = createConsola({ reporters: [stderrReporter], level: CONSOLA_LEVELS.info });

let currentLevel: LogLevel = "info";

export function setLogLevel(level: LogLevel): void {
  currentLevel = level;
  logger.level = CONSOLA_LEVELS[level];
}

export function getLogLevel(): LogLevel {
  return currentLevel;
}

/**
 * Writes results to stdout and resolves once the data is handed to the OS (safe to exit after).
 * A reader that went away (`pipcanary … | head`) is not an error of pipcanary's.
 */
export function writeStdout(text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(text, (error) => (error && (error as NodeJS.ErrnoException).code !== "EPIPE" ? reject(error) : resolve()));
  });
}

export function writeStderr(text: string): Promise<void> {
  statusLine?.clear();
  return new Promise((resolve) => {
    process.stderr.write(text, () => resolve());
  });
}

/** `-q` and `-v` are --log-level error and debug; two ways of asking at once are refused. */
export function logLevelOf(explicit: LogLevel | undefined, quiet: boolean, verbose: boolean): LogLevel {
  if (quiet && verbose) throw new InputError("-q/--quiet and -v/--verbose contradict each other", undefined, "pass one of them");
  if (explicit !== undefined && (quiet || verbose)) {
    throw new InputError(`--log-level ${explicit} and ${quiet ? "-q/--quiet" : "-v/--verbose"} both set the log level`, undefined, "pass only one of them");
  }
  if (quiet) return "error";
  if (verbose) return "debug";
  return explicit ?? "info";
}

/** `-o sarif:results.sarif` → { format: "sarif", file: <absolute> }. */
export function parseOutputTarget(text: string, cwd: string): OutputTarget {
  const colon = text.indexOf(":");
  const format = OUTPUT_FORMATS.find((candidate) => candidate === text.slice(0, colon));
  const file = text.slice(colon + 1);
  if (colon < 0 || !format || file === "") {
    throw new InputError(`invalid value '${text}': expected FORMAT:FILE with FORMAT one of ${OUTPUT_FORMATS.join(", ")}, for example -o sarif:results.sarif -o json:report.json`);
  }
  return { format, file: resolve(cwd, file) };
}

/** Every -o file, each written whole or not at all. */
export async function writeReportFiles(model: ReportModel, targets: readonly OutputTarget[]): Promise<void> {
  for (const target of targets) {
    await writeFileAtomic(target.file, renderReport(model, target.format));
    logger.debug(`wrote the ${target.format} report to ${target.file}`);
  }
}

/** The report on stdout, as --format asks; `quiet` keeps only the text report's verdict line. */
function reportOnStdout(model: ReportModel, format: OutputFormat, quiet: boolean): Promise<void> {
  return writeStdout(renderReport(model, format, { quiet }));
}

/**
 * Runs a command whose report may go to files: when it fails, each -o file and a json or sarif
 * stdout still get a report that says why (SARIF's invocation), and then the error goes on to main.
 */
export async function withFailureReport<T>(options: ResolvedOptions, command: ReportCommand, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const model = buildFailureModel(command, pkg.version, options.cwd, error);
    try {
      await writeReportFiles(model, options.outputs);
      if (options.format !== "text") await reportOnStdout(model, options.format, false);
    } catch (writeError) {
      logger.warn(`the report of the failed run could not be written: ${errorMessage(writeError)}`);
    }
    throw error;
  }
}

let activeProgress: StderrProgress | undefined;

// A slow index is named while it is waited for, in the progress display when one runs.
onSlowRequest((what) => (activeProgress ? activeProgress.waiting(what) : logger.info(what)));

/**
 * The progress display for a scan, on stderr: a redrawn line on a terminal, periodic lines in
 * CI logs. None below --log-level info. Closed by `close()` or, at the latest, at exit.
 */
export function startProgress(): StderrProgress | undefined {
  if (logger.level < CONSOLA_LEVELS.info) return undefined;
  let unregister = () => {};
  const progress = new StderrProgress({
    stream: process.stderr,
    isTTY: process.stderr.isTTY === true,
    onClose: () => {
      unregister();
      setStatusLine(undefined);
      if (activeProgress === progress) activeProgress = undefined;
    },
  });
  unregister = onCleanup(() => progress.close());
  setStatusLine(progress);
  activeProgress = progress;
  return progress;
}
