import { createConsola } from "consola";

/** Progress goes to stderr, so stdout carries only the report (and JSON stays parseable). */
const logger = createConsola({ stdout: process.stderr, stderr: process.stderr });

export type Progress = (message: string) => void;

export const stderrProgress: Progress = (message) => logger.info(message);
