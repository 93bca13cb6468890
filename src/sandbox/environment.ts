import { existsSync, mkdirSync, readdirSync, realpathSync, writeFileSync } from "node:fs";
import { homedir, hostname, tmpdir } from "node:os";
import { delimiter, dirname, extname, join } from "node:path";
import { removedAtCleanup } from "../core/cleanup.ts";
import type { Mount } from "./bwrap.ts";
import { type CanarySet, makeCanaries } from "./canaries.ts";
import { buildDecoyHome } from "./decoy-home.ts";
import { buildHostEtc } from "./host-etc.ts";
import type { HostPython } from "./host-python.ts";
import { CA_BUNDLE_NAMES, mirroredValue, randomFrom, shapedCanary } from "./twin-env.ts";

export interface SandboxEnvironmentOptions {
  python: HostPython;
  /** Parent of the run's temp dir (`--temporary-directory`); default os.tmpdir(). */
  temporaryDirectory?: string;
  /** The real home, whose path the decoy home takes and whose entry names it mirrors; default os.homedir(). */
  home?: string;
  /** Host environment variables whose values pass through unchanged (`--pass-env`). */
  passEnv?: string[];
  /** The host environment the sandbox's mirrors; default process.env. */
  hostEnv?: Record<string, string | undefined>;
}

/** Everything one scan's sandboxes share: directories, decoy home, canaries, base mounts. */
export interface SandboxEnvironment {
  /** Host temp dir of the run; removed by release() or the cleanup registry. */
  runDir: string;
  /** Read-write work dir, at the same path inside and outside the sandbox. */
  workDir: string;
  /** Host-only dir (trace FIFOs). Never bound into the sandbox. */
  controlDir: string;
  /** Host dir of pipcanary's scripts, bound read-only at libMount. */
  libDir: string;
  /** Where libDir appears inside the sandbox: a neutral random temp dir name. */
  libMount: string;
  /** Host dir holding the egress proxy's unix socket, bound at egressMount in the fetch phase. */
  egressDir: string;
  /** Where egressDir appears inside the sandbox: a neutral random temp dir name. */
  egressMount: string;
  /** File name of the egress proxy's socket in egressDir. */
  egressSocketName: string;
  /** The decoy home's path inside the sandbox (the real home's path). */
  home: string;
  canaries: CanarySet;
  python: HostPython;
  mounts: Mount[];
  env: Record<string, string>;
  release: () => void;
}

/**
 * Every pip process runs lsb_release (a shell script that starts five more processes) for its
 * User-Agent; traced, that costs about 0.2 s per pip process. It is shadowed by an empty
 * non-executable file, and pip's vendored distro falls back to /etc/os-release.
 */
const HIDDEN_PROGRAMS = ["/usr/bin/lsb_release"];

/** Python's tempfile alphabet: what a temp dir made by any Python program is named like. */
const TEMP_NAME_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789_";

/** Nothing inside the sandbox may name the scanner: payloads look for it and go dormant. */
const SCANNER_NAME = /pipcanary/i;

/** Top-level dirs the sandbox provides itself (or as links, see bwrap.ts); /sys stays absent. */
const OWN_ROOT_DIRS = new Set(["proc", "dev", "tmp", "sys", "etc", "usr"]);

function directoryNames(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  } catch {
    return [];
  }
}

/**
 * Empty directories with the names of the host's top-level directories and of those in /var and
 * /run, so that `ls /` does not show a bare sandbox; /var/tmp is writable, as everywhere. Names
 * only: nothing of their content is visible.
 */
function rootDirMounts(): Mount[] {
  const mounts: Mount[] = [];
  for (const name of directoryNames("/")) {
    if (OWN_ROOT_DIRS.has(name)) continue;
    mounts.push({ kind: "dir", dest: `/${name}` });
    if (name !== "var" && name !== "run") continue;
    for (const child of directoryNames(`/${name}`)) mounts.push(child === "tmp" ? { kind: "tmpfs", dest: `/${name}/tmp` } : { kind: "dir", dest: `/${name}/${child}` });
  }
  return mounts;
}

function hiddenPrograms(): Mount[] {
  return HIDDEN_PROGRAMS.filter((path) => existsSync(path)).map((path) => ({ kind: "ro-bind", source: "/dev/null", dest: path }));
}

/** A `tmpXXXXXXXX` name as Python's tempfile makes them. */
function neutralTempName(): string {
  return `tmp${randomFrom(TEMP_NAME_ALPHABET, 8)}`;
}

/** Creates a private temp dir with a neutral name under `parent`, removed by the cleanup registry or `release`. */
function makeRunDir(parent: string): { path: string; release: () => void } {
  for (;;) {
    const path = join(parent, neutralTempName());
    try {
      mkdirSync(path, { mode: 0o700 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") continue;
      throw error;
    }
    return removedAtCleanup(path);
  }
}

interface TwinEnvOptions {
  host: Record<string, string | undefined>;
  home: string;
  python: HostPython;
  workDir: string;
  canaries: CanarySet;
  passEnv: readonly string[];
}

/** The host's PATH without entries that name the scanner, with the interpreter's bin dir in it. */
function twinPath(hostPath: string | undefined, python: HostPython): string {
  const entries = (hostPath ?? "/usr/local/bin:/usr/bin:/bin").split(delimiter).filter((entry) => entry !== "" && !SCANNER_NAME.test(entry));
  const bin = join(python.prefix, "bin");
  return (entries.includes(bin) ? entries : [bin, ...entries]).join(delimiter);
}

/**
 * The host's environment variable names with values kept or replaced by canaries (see
 * twin-env.ts), a few values the sandbox needs (HOME, PATH, temp dirs at /tmp, the working
 * directory), the fixed canary credentials, and the `--pass-env` values. Names that mention the
 * scanner are left out: they would exist only because pipcanary runs.
 */
function twinEnvironment(options: TwinEnvOptions): Record<string, string> {
  const { host, canaries } = options;
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(host)) {
    if (value === undefined || SCANNER_NAME.test(name)) continue;
    const mirrored = mirroredValue(name, value, canaries.token);
    if (mirrored !== undefined) env[name] = SCANNER_NAME.test(mirrored) ? shapedCanary(value, canaries.token) : mirrored;
  }
  // pip's build dirs must be under /tmp (attribution reads them there), and /tmp is the sandbox's.
  for (const name of ["TMPDIR", "TMP", "TEMP", "TEMPDIR"]) if (name in env) env[name] = "/tmp";
  if ("PWD" in env) env.PWD = options.workDir;
  // A shell sets `_` to the program it starts: here the interpreter, never pipcanary's path.
  if ("_" in env) env._ = options.python.executable;
  Object.assign(env, canaries.env, { HOME: options.home, PATH: twinPath(host.PATH, options.python) });
  for (const name of options.passEnv) {
    const value = host[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/** Dirs of the sandbox that show the host's files: a CA bundle there needs no bind of its own. */
const VISIBLE_SYSTEM_DIRS = ["/usr/", "/etc/ssl/certs/", "/etc/pki/", "/etc/ca-certificates/"];

/**
 * Read-only binds of the CA bundles the kept variables name, where the sandbox would not show
 * them: pip and requests refuse to start TLS when REQUESTS_CA_BUNDLE names a missing file.
 */
function caBundleMounts(env: Record<string, string>): Mount[] {
  const mounts: Mount[] = [];
  for (const name of CA_BUNDLE_NAMES) {
    const path = env[name];
    if (path === undefined || !path.startsWith("/") || VISIBLE_SYSTEM_DIRS.some((dir) => path.startsWith(dir)) || !existsSync(path)) continue;
    if (!mounts.some((mount) => mount.dest === path)) mounts.push({ kind: "ro-bind", source: realpathSync(path), dest: path });
  }
  return mounts;
}

export function createSandboxEnvironment(options: SandboxEnvironmentOptions): SandboxEnvironment {
  const home = options.home ?? homedir();
  const temp = makeRunDir(options.temporaryDirectory ?? tmpdir());
  // Real path, so that symlink checks on files the sandbox wrote compare like with like.
  const runDir = realpathSync(temp.path);
  const dirs = {
    workDir: join(runDir, "work"),
    controlDir: join(runDir, "control"),
    libDir: join(runDir, "lib"),
    egressDir: join(runDir, "egress"),
  };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  const libMount = `/tmp/${neutralTempName()}`;
  const egressMount = `/tmp/${neutralTempName()}`;
  const canaries = makeCanaries(home);
  const decoyHome = join(runDir, "home");
  buildDecoyHome(decoyHome, canaries, home);
  const etcDir = join(runDir, "etc");
  const etcMounts = buildHostEtc(etcDir, hostname());

  const mounts: Mount[] = [
    ...rootDirMounts(),
    { kind: "ro-bind", source: etcDir, dest: "/etc" },
    ...etcMounts,
    { kind: "bind", source: decoyHome, dest: home },
    ...options.python.bindRoots.map((root): Mount => ({ kind: "ro-bind", source: root, dest: root })),
    { kind: "ro-bind", source: dirs.libDir, dest: libMount },
    { kind: "bind", source: dirs.workDir, dest: dirs.workDir },
    ...hiddenPrograms(),
  ];

  const env = twinEnvironment({ host: options.hostEnv ?? process.env, home, python: options.python, workDir: dirs.workDir, canaries, passEnv: options.passEnv ?? [] });
  mounts.push(...caBundleMounts(env));
  return {
    runDir,
    ...dirs,
    libMount,
    egressMount,
    egressSocketName: neutralTempName(),
    home,
    canaries,
    python: options.python,
    mounts,
    env,
    release: temp.release,
  };
}

/**
 * Writes a file into the lib dir under a neutral random name (keeping `name`'s directory and
 * extension) and returns its path inside the sandbox.
 */
export function writeLibFile(environment: SandboxEnvironment, name: string, content: string): string {
  const relative = join(dirname(name), `${neutralTempName()}${extname(name)}`);
  writeFileSync(join(environment.libDir, relative), content, { mode: 0o644 });
  return join(environment.libMount, relative);
}
