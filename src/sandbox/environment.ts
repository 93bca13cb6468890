import { existsSync, mkdirSync, realpathSync, writeFileSync } from "node:fs";
import { homedir, tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { makeTempDir } from "../core/cleanup.ts";
import type { Mount } from "./bwrap.ts";
import { type CanarySet, makeCanaries } from "./canaries.ts";
import { buildDecoyHome } from "./decoy-home.ts";
import type { HostPython } from "./host-python.ts";
import { buildMinimalEtc } from "./minimal-etc.ts";

/** Where pipcanary's own scripts appear inside the sandbox (read-only). */
export const LIB_MOUNT = "/run/pipcanary";
/** Where the egress proxy's socket directory appears inside the sandbox (fetch phase only). */
export const EGRESS_MOUNT = "/run/pipcanary-egress";

export interface SandboxEnvironmentOptions {
  python: HostPython;
  /** Parent of the run's temp dir (`--temporary-directory`); default os.tmpdir(). */
  temporaryDirectory?: string;
  /** The real home, whose path the decoy home takes; default os.homedir(). */
  home?: string;
  /** Host environment variables to pass through by name; nothing else reaches the sandbox. */
  passEnv?: string[];
}

/** Everything one scan's sandboxes share: directories, decoy home, canaries, base mounts. */
export interface SandboxEnvironment {
  /** Host temp dir of the run; removed by release() or the cleanup registry. */
  runDir: string;
  /** Read-write work dir, at the same path inside and outside the sandbox. */
  workDir: string;
  /** Host-only dir (trace FIFOs). Never bound into the sandbox. */
  controlDir: string;
  /** Host dir of pipcanary's scripts, bound read-only at LIB_MOUNT. */
  libDir: string;
  /** Host dir holding the egress proxy's unix socket, bound at EGRESS_MOUNT in the fetch phase. */
  egressDir: string;
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

function hiddenPrograms(): Mount[] {
  return HIDDEN_PROGRAMS.filter((path) => existsSync(path)).map((path) => ({ kind: "ro-bind", source: "/dev/null", dest: path }));
}

export function createSandboxEnvironment(options: SandboxEnvironmentOptions): SandboxEnvironment {
  const home = options.home ?? homedir();
  const temp = makeTempDir("pipcanary", options.temporaryDirectory ?? tmpdir());
  // Real path, so that symlink checks on files the sandbox wrote compare like with like.
  const runDir = realpathSync(temp.path);
  const dirs = {
    workDir: join(runDir, "work"),
    controlDir: join(runDir, "control"),
    libDir: join(runDir, "lib"),
    egressDir: join(runDir, "egress"),
  };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  const canaries = makeCanaries(home);
  const decoyHome = join(runDir, "home");
  buildDecoyHome(decoyHome, canaries);
  const etcDir = join(runDir, "etc");
  const etcMounts = buildMinimalEtc(etcDir, home);

  const mounts: Mount[] = [
    { kind: "ro-bind", source: etcDir, dest: "/etc" },
    ...etcMounts,
    { kind: "bind", source: decoyHome, dest: home },
    ...options.python.bindRoots.map((root): Mount => ({ kind: "ro-bind", source: root, dest: root })),
    { kind: "ro-bind", source: dirs.libDir, dest: LIB_MOUNT },
    { kind: "bind", source: dirs.workDir, dest: dirs.workDir },
    ...hiddenPrograms(),
  ];

  const user = userInfo().username;
  const env: Record<string, string> = {
    PATH: `${options.python.prefix}/bin:/usr/local/bin:/usr/bin:/bin`,
    HOME: home,
    USER: user,
    LOGNAME: user,
    SHELL: "/bin/sh",
    LANG: "C.UTF-8",
    TMPDIR: "/tmp",
    PIP_CONFIG_FILE: "/dev/null",
    PIP_NO_INPUT: "1",
    PIP_DISABLE_PIP_VERSION_CHECK: "1",
    // Only pip's build-environment subprocesses read this (the main pip runs --isolated): the
    // throwaway build env needs no bytecode, and compiling setuptools once per sdist is slow traced.
    // pip stores a boolean variable's value in the option's dest as is, and --no-compile's dest is
    // `compile`: "0" turns compiling off, "1" would turn it on.
    PIP_NO_COMPILE: "0",
    ...canaries.env,
  };
  for (const name of options.passEnv ?? []) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return { runDir, ...dirs, home, canaries, python: options.python, mounts, env, release: temp.release };
}

/** Writes a file into the lib dir and returns its path inside the sandbox. */
export function writeLibFile(environment: SandboxEnvironment, name: string, content: string): string {
  writeFileSync(join(environment.libDir, name), content, { mode: 0o644 });
  return `${LIB_MOUNT}/${name}`;
}
