import { execFile } from "node:child_process";
import script from "./marker_environment.py" with { type: "text" };
import { MissingPreconditionError, ScanFailedError } from "../core/errors.ts";
import type { TargetEnvironment } from "../core/requirements.ts";

const PYTHON_INSTALL_COMMAND = "apt-get install -y python3 python3-pip python3-venv";

const KEYS: ReadonlyArray<keyof TargetEnvironment> = [
  "implementation_name",
  "implementation_version",
  "os_name",
  "platform_machine",
  "platform_release",
  "platform_system",
  "platform_version",
  "python_full_version",
  "platform_python_implementation",
  "python_version",
  "sys_platform",
];

/** Asks `python` (isolated mode: no user site, no PYTHON* variables) for its marker environment. */
export function readTargetEnvironment(python: string = "python3"): Promise<TargetEnvironment> {
  return new Promise((resolve, reject) => {
    execFile(python, ["-I", "-c", script], { timeout: 30_000, encoding: "utf8" }, (error, stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === "ENOENT") {
        reject(new MissingPreconditionError(python, PYTHON_INSTALL_COMMAND));
        return;
      }
      if (error) {
        reject(new ScanFailedError(`${python} could not report its environment: ${stderr.trim() || error.message}`));
        return;
      }
      try {
        resolve(toEnvironment(JSON.parse(stdout)));
      } catch {
        reject(new ScanFailedError(`${python} printed an unexpected environment: ${stdout.slice(0, 200)}`));
      }
    });
  });
}

function toEnvironment(value: unknown): TargetEnvironment {
  if (typeof value !== "object" || value === null) throw new TypeError("not an object");
  const record = value as Record<string, unknown>;
  const env = {} as TargetEnvironment;
  for (const key of KEYS) {
    const field = record[key];
    if (typeof field !== "string") throw new TypeError(`${key} missing`);
    env[key] = field;
  }
  return env;
}

let cached: Promise<TargetEnvironment> | undefined;

/** The host python3's marker environment, asked once per process. */
export function getTargetEnvironment(): Promise<TargetEnvironment> {
  cached ??= readTargetEnvironment();
  return cached;
}
