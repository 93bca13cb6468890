import { existsSync, realpathSync } from "node:fs";
import { dirname } from "node:path";
import { MissingPreconditionError } from "../core/errors.ts";
import probeScript from "./host_probe.py" with { type: "text" };

/** The host interpreter that runs pip and the packages inside the sandbox. */
export interface HostPython {
  /** Real path of the interpreter binary (symlinks and pyenv shims resolved). */
  executable: string;
  /** sys.base_prefix: the installation tree that must be visible read-only in the sandbox. */
  prefix: string;
  /** "3.11" — the lib/pythonX.Y part of site-packages paths. */
  version: string;
  /** "3.11.7", for pyvenv.cfg. */
  fullVersion: string;
  pipVersion: string;
  /** pip's `__pip-runner__.py`: runs this pip inside another interpreter (a venv). */
  pipRunner: string;
  /** Trees to bind read-only, outside /usr (which is always bound). */
  bindRoots: string[];
}

const APT_HINT = "apt-get install -y python3 python3-pip python3-venv";

/**
 * What host_probe.py prints as JSON: the interpreter itself tells, so shims and symlinks are
 * resolved by Python's own view. In an activated venv the sandbox runs the venv's base
 * interpreter (the same Python); the venv's pip, which lives outside the base installation, is
 * then bound read-only on its own.
 */
interface Probe {
  executable: string;
  prefix: string;
  exec_prefix: string;
  version: string;
  full_version: string;
  pip: string;
  pip_runner: string;
}

function isProbe(value: unknown): value is Probe {
  if (typeof value !== "object" || value === null) return false;
  const record = value as Record<string, unknown>;
  return ["executable", "prefix", "exec_prefix", "version", "full_version", "pip", "pip_runner"].every((key) => typeof record[key] === "string");
}

/** Looked up on the current PATH (Bun.which alone uses the PATH the process started with). */
function which(command: string): string | undefined {
  return Bun.which(command, { PATH: process.env.PATH ?? "" }) ?? undefined;
}

function isUnder(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith("/") ? root : `${root}/`);
}

/** Host environment without anything that changes how Python or pip behave. */
function probeEnvironment(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || key.startsWith("PIP_") || key.startsWith("PYTHON")) continue;
    env[key] = value;
  }
  return env;
}

/**
 * Finds the real installation behind `command` (default python3 on PATH) and checks that it can
 * run pip. Throws MissingPreconditionError with the install command when it cannot.
 */
export function detectHostPython(command = "python3"): HostPython {
  const resolved = command.includes("/") ? command : which(command);
  if (!resolved || !existsSync(resolved)) throw new MissingPreconditionError(`${command} (with pip)`, APT_HINT);
  const probe = Bun.spawnSync([resolved, "-I", "-c", probeScript], { env: probeEnvironment(), stdout: "pipe", stderr: "pipe" });
  let parsed: unknown;
  try {
    parsed = JSON.parse(probe.stdout.toString());
  } catch {
    parsed = undefined;
  }
  if (probe.exitCode !== 0 || !isProbe(parsed)) {
    throw new MissingPreconditionError(`pip for ${resolved}`, APT_HINT);
  }
  const bindRoots: string[] = [];
  const executableRoot = dirname(dirname(realpathSync(parsed.executable)));
  for (const root of [parsed.prefix, parsed.exec_prefix, executableRoot, dirname(parsed.pip_runner)]) {
    if (isUnder(root, "/usr") || bindRoots.some((bound) => isUnder(root, bound))) continue;
    bindRoots.push(root);
  }
  return {
    executable: parsed.executable,
    prefix: parsed.prefix,
    version: parsed.version,
    fullVersion: parsed.full_version,
    pipVersion: parsed.pip,
    pipRunner: parsed.pip_runner,
    bindRoots,
  };
}

/** bwrap and strace are the two system tools the behavioural scan cannot run without. */
export function requireSandboxTools(): { bwrap: string; strace: string } {
  const bwrap = which("bwrap");
  const strace = which("strace");
  if (!bwrap) throw new MissingPreconditionError("bubblewrap (bwrap)", "apt-get install -y bubblewrap strace");
  if (!strace) throw new MissingPreconditionError("strace", "apt-get install -y bubblewrap strace");
  return { bwrap, strace };
}
