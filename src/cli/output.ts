/**
 * Where pipcanary writes: results to stdout, progress and diagnostics to stderr through one
 * consola logger that honours --log-level.
 */
import { type ConsolaReporter, type LogObject, createConsola } from "consola/core";
import { formatWithOptions } from "node:util";
import type { LogLevel } from "./options.ts";

const CONSOLA_LEVELS: Record<LogLevel, number> = { silent: Number.NEGATIVE_INFINITY, error: 0, warn: 1, info: 3, debug: 4 };

const PREFIXES: Partial<Record<string, string>> = {
  fatal: "pipcanary: error: ",
  error: "pipcanary: error: ",
  warn: "pipcanary: warning: ",
  debug: "pipcanary: debug: ",
  trace: "pipcanary: trace: ",
};

const stderrReporter: ConsolaReporter = {
  log(entry: LogObject) {
    const text = formatWithOptions({ colors: false }, ...entry.args);
    process.stderr.write(`${PREFIXES[entry.type] ?? ""}${text}\n`);
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
  return new Promise((resolve) => {
    process.stderr.write(text, () => resolve());
  });
}
