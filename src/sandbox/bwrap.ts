import { existsSync, lstatSync, readlinkSync } from "node:fs";
import { hostname } from "node:os";

/** One filesystem entry of the sandbox. Host paths never appear unless bound here. */
export type Mount =
  | { kind: "ro-bind" | "bind"; source: string; dest: string }
  | { kind: "tmpfs" | "dir"; dest: string };

export interface SandboxSpec {
  /** Mounts beyond the fixed system view; applied parents first, so order does not matter. */
  mounts: Mount[];
  /** The complete environment: nothing of the host's reaches the sandbox. */
  env: Record<string, string>;
  cwd: string;
  command: string[];
  /** Restrictions on what the sandbox's processes may ask of the kernel (see seccomp.ts). */
  confinement?: Confinement | undefined;
}

export interface Confinement {
  /** An fd, inherited by bwrap, holding the seccomp program for every process of the sandbox. */
  seccompFd: number;
  /** `--disable-userns` (bwrap 0.8.0 and later): no user namespace can be created inside. */
  disableUserns: boolean;
}

/** Whether this bwrap knows `--disable-userns`, from its `--help`; asked once per binary. */
const userNamespaceSwitch = new Map<string, boolean>();
export function supportsDisableUserns(bwrap: string): boolean {
  let known = userNamespaceSwitch.get(bwrap);
  if (known === undefined) {
    const help = Bun.spawnSync([bwrap, "--help"], { stdout: "pipe", stderr: "pipe" });
    known = `${help.stdout.toString()}${help.stderr.toString()}`.includes("--disable-userns");
    userNamespaceSwitch.set(bwrap, known);
  }
  return known;
}

function confinementArgs(confinement: Confinement | undefined): string[] {
  if (confinement === undefined) return [];
  const userns = confinement.disableUserns ? ["--unshare-user", "--disable-userns"] : [];
  return [...userns, "--seccomp", String(confinement.seccompFd)];
}

/** System directories, read-only. Merged-/usr hosts have symlinks for these; those are recreated. */
const SYSTEM_DIRS = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"];

function systemMounts(): string[] {
  const args: string[] = [];
  for (const dir of SYSTEM_DIRS) {
    if (!existsSync(dir)) continue;
    const stat = lstatSync(dir);
    if (stat.isSymbolicLink()) args.push("--symlink", readlinkSync(dir), dir);
    else args.push("--ro-bind", dir, dir);
  }
  return args;
}

function depth(path: string): number {
  return path.split("/").filter(Boolean).length;
}

function mountArgs(mount: Mount): string[] {
  switch (mount.kind) {
    case "ro-bind":
      return ["--ro-bind", mount.source, mount.dest];
    case "bind":
      return ["--bind", mount.source, mount.dest];
    case "tmpfs":
      return ["--tmpfs", mount.dest];
    case "dir":
      return ["--dir", mount.dest];
  }
}

/**
 * bwrap arguments (without the program name) for one sandboxed command: every namespace
 * unshared (user, pid, net, ipc, uts, cgroup), all capabilities dropped, a fresh /proc and
 * /dev, a tmpfs /tmp, and only the listed mounts. `--die-with-parent` ties the sandbox to the
 * tracer, `--new-session` stops TIOCSTI injection into the caller's terminal. The hostname is the
 * host's: a payload that compares it with the machine it expects must not see a difference.
 */
export function bwrapArgs(spec: SandboxSpec): string[] {
  const args = [
    "--unshare-all",
    "--cap-drop", "ALL",
    "--die-with-parent",
    "--new-session",
    "--hostname", hostname(),
    ...systemMounts(),
    "--proc", "/proc",
    "--dev", "/dev",
    "--tmpfs", "/tmp",
  ];
  const ordered = [...spec.mounts].sort((a, b) => depth(a.dest) - depth(b.dest));
  for (const mount of ordered) args.push(...mountArgs(mount));
  args.push(...confinementArgs(spec.confinement));
  args.push("--clearenv");
  for (const [key, value] of Object.entries(spec.env)) args.push("--setenv", key, value);
  args.push("--chdir", spec.cwd, "--", ...spec.command);
  return args;
}
