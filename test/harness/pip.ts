import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/*
 * Runs the host's pip with nothing of the host's pip configuration: this machine (like many CI
 * runners) has /etc/pip.conf, ~/.config/pip/pip.conf with extra file:// indexes and find-links, and
 * PIP_* variables, any of which would make a test pass against packages that are not in the
 * fixture index. So: --isolated, PIP_CONFIG_FILE=/dev/null (pip then reads no config file at all),
 * an environment built from scratch and a HOME of the test's own.
 */

export interface ProcessResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface Venv {
  dir: string;
  /** `<dir>/bin/python`. */
  python: string;
  /** Whether pip is installed inside; without it, pip runs from the host with `--python`. */
  hasPip: boolean;
}

export interface IsolatedRunOptions {
  /** A private, writable directory used as HOME (and for TMPDIR below it). */
  home: string;
  cwd?: string;
  /** Extra variables on top of the clean environment. */
  env?: Record<string, string>;
  timeoutMs?: number;
}

export interface PipOptions extends IsolatedRunOptions {
  /** Install into / inspect this venv instead of the host interpreter. */
  venv?: Venv;
}

const DEFAULT_TIMEOUT_MS = 300_000;
let cachedHostPython: string | undefined;

/**
 * Absolute path of the real host interpreter. `python3` on PATH may be a pyenv shim, which needs
 * the caller's HOME and PYENV_* variables; the clean environment has neither, so we resolve it once.
 */
export function hostPython(): string {
  if (cachedHostPython) return cachedHostPython;
  const result = Bun.spawnSync(["python3", "-I", "-c", "import sys; print(sys.executable)"], {
    stdout: "pipe",
    stderr: "pipe",
  });
  const path = result.stdout.toString().trim();
  if (result.exitCode !== 0 || !path || !existsSync(path)) {
    throw new Error(
      `python3 is needed to run pip in tests but "python3 -I -c 'import sys; print(sys.executable)'" failed: ` +
        `${result.stderr.toString().trim() || "no output"}. Install it with: apt-get install python3 python3-venv python3-pip`,
    );
  }
  cachedHostPython = path;
  return path;
}

/** The whole environment of an isolated Python or pip run: nothing is inherited from this process. */
export function isolatedEnv(home: string, python: string = hostPython()): Record<string, string> {
  const tmp = join(home, "tmp");
  mkdirSync(tmp, { recursive: true });
  return {
    PATH: `${dirname(python)}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
    HOME: home,
    TMPDIR: tmp,
    LANG: "C.UTF-8",
    PIP_CONFIG_FILE: "/dev/null",
    PYTHONNOUSERSITE: "1",
  };
}

/** Runs any command in the clean environment, killed if it outlives the timeout. */
export async function runIsolated(command: string[], options: IsolatedRunOptions): Promise<ProcessResult> {
  const child = Bun.spawn(command, {
    cwd: options.cwd ?? options.home,
    env: { ...isolatedEnv(options.home), ...options.env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    killSignal: "SIGKILL",
  });
  const [stdout, stderr, exitCode] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  return { exitCode, stdout, stderr };
}

/** `python -m pip --isolated --disable-pip-version-check --no-input <args>` in the clean environment. */
export function runPip(args: string[], options: PipOptions): Promise<ProcessResult> {
  const venv = options.venv;
  const python = venv?.hasPip ? venv.python : hostPython();
  const target = venv && !venv.hasPip ? ["--python", venv.python] : [];
  const command = [python, "-m", "pip", "--isolated", "--disable-pip-version-check", "--no-input", ...target, ...args];
  return runIsolated(command, options);
}

/**
 * Creates a venv from the host interpreter. Without pip (the default, fast) packages are installed
 * into it by the host's pip via `--python`; `withPip` runs ensurepip from the interpreter's own
 * bundled wheels (offline, a few seconds). Without `home`, a throwaway HOME is used and removed.
 */
export async function makeVenv(dir: string, options: { home?: string; withPip?: boolean } = {}): Promise<Venv> {
  const args = [hostPython(), "-m", "venv", ...(options.withPip ? [] : ["--without-pip"]), dir];
  const home = options.home ?? mkdtempSync(join(tmpdir(), "pipcanary-venv-home-"));
  try {
    const result = await runIsolated(args, { home });
    if (result.exitCode !== 0) throw new Error(`python3 -m venv ${dir} failed:\n${result.stderr}`);
  } finally {
    if (options.home === undefined) rmSync(home, { recursive: true, force: true });
  }
  return { dir, python: join(dir, "bin", "python"), hasPip: options.withPip ?? false };
}
