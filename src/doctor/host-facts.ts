/**
 * What the kernel and the surrounding container allow, read from /proc and marker files: the
 * facts both `pipcanary doctor` and a failed scan's diagnosis base their fix on.
 */
import { existsSync, readFileSync } from "node:fs";

export type ContainerKind = "docker" | "podman" | "kubernetes" | "lxc" | "other";

export interface ContainerInfo {
  kind: ContainerKind;
  /** What gave it away (a marker file, a cgroup name, an environment variable). */
  evidence: string;
}

export interface HostFacts {
  /** undefined: not inside a container, as far as can be told. */
  container: ContainerInfo | undefined;
  /** Debian/Ubuntu kernels: 0 forbids unprivileged user namespaces. undefined where absent. */
  unprivilegedUsernsClone: number | undefined;
  /** 0 forbids new user namespaces. */
  maxUserNamespaces: number | undefined;
  /** Ubuntu 23.10+: 1 lets only AppArmor-profiled programs create user namespaces. */
  apparmorRestrictUserns: number | undefined;
  /** Yama: 0 classic, 1 descendants only (strace's case), 2 admin only, 3 never. */
  yamaPtraceScope: number | undefined;
  /** The pid of whatever ptrace-traces pipcanary itself; undefined when nothing does. */
  tracerPid: number | undefined;
  /** Mount points under /proc that hide parts of it (read-only or tmpfs over-mounts). */
  procOverMounts: string[];
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

function readNumber(path: string): number | undefined {
  const text = readText(path)?.trim();
  return text === undefined || text === "" || Number.isNaN(Number(text)) ? undefined : Number(text);
}

/** `/proc/self/cgroup` lines name the runtime in their paths (`/docker/<id>`, `/kubepods/…`). */
const CGROUP_KINDS: ReadonlyArray<readonly [RegExp, ContainerKind]> = [
  [/kubepods/, "kubernetes"],
  [/libpod|podman/, "podman"],
  [/docker|containerd/, "docker"],
  [/\/lxc[./]/, "lxc"],
];

export function detectContainer(env: NodeJS.ProcessEnv = process.env, root = ""): ContainerInfo | undefined {
  if (env.KUBERNETES_SERVICE_HOST) return { kind: "kubernetes", evidence: "KUBERNETES_SERVICE_HOST is set" };
  if (existsSync(`${root}/run/.containerenv`)) return { kind: "podman", evidence: "/run/.containerenv exists" };
  if (existsSync(`${root}/.dockerenv`)) return { kind: "docker", evidence: "/.dockerenv exists" };
  const cgroup = readText(`${root}/proc/self/cgroup`) ?? "";
  for (const [pattern, kind] of CGROUP_KINDS) {
    const line = cgroup.split("\n").find((entry) => pattern.test(entry));
    if (line) return { kind, evidence: `cgroup ${line.split(":").slice(2).join(":")}` };
  }
  const runtime = env.container ?? readText(`${root}/proc/1/environ`)?.split("\0").find((entry) => entry.startsWith("container="))?.slice("container=".length);
  if (runtime) return { kind: runtime === "podman" ? "podman" : runtime === "lxc" ? "lxc" : "other", evidence: `container=${runtime}` };
  return undefined;
}

/**
 * Mount points strictly below /proc that are read-only or tmpfs: Docker's and Podman's masked
 * paths, or an outer bwrap's --proc. The kernel refuses a new proc mount while they hide parts of
 * /proc (mount_too_revealing), so a sandbox cannot get its own /proc there.
 */
export function procOverMounts(mountinfo: string): string[] {
  const found: string[] = [];
  for (const line of mountinfo.split("\n")) {
    const [before, after] = line.split(" - ");
    const fields = before?.split(" ") ?? [];
    const mountPoint = fields[4]?.replace(/\\040/g, " ");
    const options = fields[5] ?? "";
    const fsType = after?.split(" ")[0] ?? "";
    if (!mountPoint?.startsWith("/proc/")) continue;
    if (fsType === "tmpfs" || options.split(",").includes("ro")) found.push(mountPoint);
  }
  return found;
}

export function readHostFacts(): HostFacts {
  return {
    container: detectContainer(),
    unprivilegedUsernsClone: readNumber("/proc/sys/kernel/unprivileged_userns_clone"),
    maxUserNamespaces: readNumber("/proc/sys/user/max_user_namespaces"),
    apparmorRestrictUserns: readNumber("/proc/sys/kernel/apparmor_restrict_unprivileged_userns"),
    yamaPtraceScope: readNumber("/proc/sys/kernel/yama/ptrace_scope"),
    tracerPid: Number(/^TracerPid:\s+(\d+)/m.exec(readText("/proc/self/status") ?? "")?.[1] ?? Number.NaN) || undefined,
    procOverMounts: procOverMounts(readText("/proc/self/mountinfo") ?? ""),
  };
}
