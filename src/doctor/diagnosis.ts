/**
 * From a sandbox's error output to its cause and the exact fix for this environment. `pipcanary
 * doctor` and a failed scan share it, so both name the same cause and the same fix.
 */
import { PipcanaryError } from "../core/errors.ts";
import { ExitCode } from "../core/exit-codes.ts";
import type { ContainerKind, HostFacts } from "./host-facts.ts";

export type EnvironmentCause = "masked-proc" | "userns-forbidden" | "userns-limit" | "ptrace-denied";

export interface Diagnosis {
  cause: EnvironmentCause;
  /** What is wrong, in a few words. */
  what: string;
  /** The exact change that makes the sandbox work here. */
  fix: string;
}

export const DOCTOR_HINT = "run `pipcanary doctor` for a full check";

/** A scan failure the environment caused: the precondition exit code, the cause and the fix. */
export class EnvironmentError extends PipcanaryError {
  constructor(message: string, diagnosis: Diagnosis) {
    super(`${message} (${diagnosis.what})`, ExitCode.MissingPrecondition, `${diagnosis.fix}; ${DOCTOR_HINT}`);
    this.name = "EnvironmentError";
  }
}

const PATTERNS: ReadonlyArray<readonly [RegExp, EnvironmentCause]> = [
  [/bwrap: Can't mount proc on \/newroot\/proc/, "masked-proc"],
  [/bwrap: No permissions to creat\w* new namespace/, "userns-forbidden"],
  [/bwrap: setting up uid map/, "userns-forbidden"],
  [/bwrap: Creating new namespace failed: .*(ENOSPC|max_\*_namespaces exceeded)/, "userns-limit"],
  [/bwrap: Creating new namespace failed/, "userns-forbidden"],
  [/strace: .*(ptrace|PTRACE_\w+).*(Operation not permitted|Permission denied)/, "ptrace-denied"],
];

export function causeOf(output: string): EnvironmentCause | undefined {
  return PATTERNS.find(([pattern]) => pattern.test(output))?.[1];
}

const MASKED_PROC_FIX: Record<ContainerKind | "none", string> = {
  docker: "run the container with `docker run --security-opt systempaths=unconfined …` (GitHub Actions: `container: { options: --security-opt systempaths=unconfined }`)",
  podman: "run the container with `podman run --security-opt unmask=ALL …`",
  kubernetes: "set `securityContext.procMount: Unmasked` on the container and `hostUsers: false` on the pod",
  lxc: "give the container an unmasked /proc (LXC: `lxc.mount.auto = proc:rw`), or run pipcanary on the host",
  other: "give the container an unmasked /proc (Docker `--security-opt systempaths=unconfined`, Podman `--security-opt unmask=ALL`, Kubernetes `securityContext.procMount: Unmasked`), or run pipcanary outside the outer sandbox",
  none: "run pipcanary where /proc has no read-only or tmpfs over-mounts (Docker `--security-opt systempaths=unconfined`, Podman `--security-opt unmask=ALL`, Kubernetes `securityContext.procMount: Unmasked`), not inside another sandbox's /proc",
};

function maskedProc(facts: HostFacts): Diagnosis {
  const masks = facts.procOverMounts.length > 0 ? `: ${facts.procOverMounts.slice(0, 6).join(", ")}${facts.procOverMounts.length > 6 ? ", …" : ""}` : "";
  return {
    cause: "masked-proc",
    what: `no new /proc can be mounted because parts of this /proc are masked by over-mounts${masks}`,
    fix: MASKED_PROC_FIX[facts.container?.kind ?? "none"],
  };
}

function usernsForbidden(facts: HostFacts): Diagnosis {
  const what = "unprivileged user namespaces are forbidden";
  if (facts.unprivilegedUsernsClone === 0) return { cause: "userns-forbidden", what: `${what} (kernel.unprivileged_userns_clone = 0)`, fix: "on the host: `sudo sysctl -w kernel.unprivileged_userns_clone=1`" };
  if (facts.maxUserNamespaces === 0) return { cause: "userns-forbidden", what: `${what} (user.max_user_namespaces = 0)`, fix: "on the host: `sudo sysctl -w user.max_user_namespaces=15000`" };
  if (facts.apparmorRestrictUserns === 1) {
    return {
      cause: "userns-forbidden",
      what: `${what} by AppArmor (kernel.apparmor_restrict_unprivileged_userns = 1)`,
      fix: "on the Ubuntu host: `sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0`, or an AppArmor profile for bwrap with the `userns,` rule (/etc/apparmor.d/bwrap: `abi <abi/4.0>, include <tunables/global> profile bwrap /usr/bin/bwrap flags=(unconfined) { userns, }`, then `sudo apparmor_parser -r /etc/apparmor.d/bwrap`)",
    };
  }
  const byContainer: Record<ContainerKind, string> = {
    docker: "Docker's default seccomp profile forbids creating user namespaces: run the container with `--security-opt seccomp=unconfined` (or a profile that allows clone, clone3 and unshare with CLONE_NEWUSER) and `--security-opt apparmor=unconfined`",
    podman: "run the container with `podman run --security-opt seccomp=unconfined --security-opt apparmor=unconfined …` (or a seccomp profile that allows unshare and clone with CLONE_NEWUSER)",
    kubernetes: "set the container's `securityContext.seccompProfile.type: Unconfined` (or a Localhost profile that allows unshare and clone with CLONE_NEWUSER) and `securityContext.appArmorProfile.type: Unconfined`",
    lxc: "allow nested user namespaces in the container (LXC: `security.nesting=true`)",
    other: "the container's seccomp or AppArmor profile forbids user namespaces: allow unshare and clone with CLONE_NEWUSER",
  };
  return {
    cause: "userns-forbidden",
    what: `${what}${facts.container ? ` by the ${facts.container.kind} container's profile` : ""}`,
    fix: facts.container ? byContainer[facts.container.kind] : "allow unprivileged user namespaces: `sudo sysctl -w kernel.unprivileged_userns_clone=1 user.max_user_namespaces=15000`, and check that no seccomp or AppArmor profile confines pipcanary",
  };
}

function usernsLimit(facts: HostFacts): Diagnosis {
  return {
    cause: "userns-limit",
    what: "no further user namespace may be created here: an outer sandbox forbids nesting them (bwrap --disable-userns, a container runtime's limit) or user.max_user_namespaces is used up",
    fix: facts.maxUserNamespaces !== undefined && facts.maxUserNamespaces < 100
      ? "on the host: `sudo sysctl -w user.max_user_namespaces=15000`"
      : "run pipcanary outside the sandbox that forbids nested user namespaces (for bwrap: without --disable-userns), or raise user.max_user_namespaces where it is set",
  };
}

function ptraceDenied(facts: HostFacts): Diagnosis {
  if (facts.tracerPid !== undefined) {
    return {
      cause: "ptrace-denied",
      what: `pipcanary itself is being traced (TracerPid ${facts.tracerPid}), and a traced process cannot trace its own children`,
      fix: "run pipcanary without strace, gdb or another ptrace-based tool around it",
    };
  }
  const scope = facts.yamaPtraceScope;
  if (scope !== undefined && scope >= 2) {
    return {
      cause: "ptrace-denied",
      what: `ptrace is restricted by Yama (kernel.yama.ptrace_scope = ${scope})`,
      fix: scope === 3 ? "ptrace_scope 3 cannot be lowered until reboot: set `kernel.yama.ptrace_scope = 1` in /etc/sysctl.d/ and reboot" : "on the host: `sudo sysctl -w kernel.yama.ptrace_scope=1`",
    };
  }
  return {
    cause: "ptrace-denied",
    what: `strace may not trace its child${facts.container ? ` in this ${facts.container.kind} container` : ""}`,
    fix: facts.container
      ? "run the container with `--cap-add SYS_PTRACE` and a seccomp profile that allows ptrace (Docker/Podman `--security-opt seccomp=unconfined`; Kubernetes `securityContext.capabilities.add: [SYS_PTRACE]`)"
      : "allow ptrace of child processes: `sudo sysctl -w kernel.yama.ptrace_scope=1`, and check that no seccomp or AppArmor profile forbids ptrace",
  };
}

const DIAGNOSES: Record<EnvironmentCause, (facts: HostFacts) => Diagnosis> = {
  "masked-proc": maskedProc,
  "userns-forbidden": usernsForbidden,
  "userns-limit": usernsLimit,
  "ptrace-denied": ptraceDenied,
};

/** What `cause` means here, and its fix for this host or container. */
export function diagnosisOf(cause: EnvironmentCause, facts: HostFacts): Diagnosis {
  return DIAGNOSES[cause](facts);
}

/** The cause and fix of a sandbox's failure, or undefined when its output names no known cause. */
export function diagnoseSandboxOutput(output: string, facts: HostFacts): Diagnosis | undefined {
  const cause = causeOf(output);
  return cause === undefined ? undefined : diagnosisOf(cause, facts);
}
