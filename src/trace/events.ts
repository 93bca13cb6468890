import type { Phase } from "../core/phase.ts";

/**
 * Typed events produced by the strace stream parser. The rule matcher consumes them, and each
 * attributed one is published on the scan's event stream (src/events, `syscall`) to plugins'
 * `onSyscall`, so they are stable API: add fields, never change their meaning.
 */

export type FileEventKind = "open" | "read" | "write" | "stat" | "unlink" | "rename" | "mkdir" | "chmod" | "link" | "readlink" | "chdir";
export type EventKind = FileEventKind | "exec" | "connect" | "bind" | "sendto" | "spawn" | "exit" | "denied";

export const EVENT_KINDS: readonly EventKind[] = [
  "open", "read", "write", "stat", "unlink", "rename", "mkdir", "chmod", "link", "readlink", "chdir",
  "exec", "connect", "bind", "sendto", "spawn", "exit", "denied",
];

interface EventBase {
  /** Host-visible pid as printed by strace. */
  pid: number;
  /** The syscall name as traced (openat, statx, execve, …). */
  syscall: string;
  /** Numeric return value; undefined when the call never returned (killed, exit). */
  ret: number | undefined;
  /** errno name when the call failed (ENOENT, EACCES, …). */
  errno: string | undefined;
  /** The raw strace line(s) the event was built from, for `--trace-file` and reports. */
  raw: string;
}

export interface FileEvent extends EventBase {
  kind: FileEventKind;
  /** Absolute, resolved path: the `-yy` path of the resulting fd when there is one. */
  path: string;
  /** Second path for rename/link (the destination). */
  target: string | undefined;
  /**
   * The path as the program asked for it (resolved against its dirfd or cwd, not through
   * symlinks), when that differs from `path`: rules match both.
   */
  requested?: string | undefined;
  /** open flags such as O_WRONLY, O_CREAT; empty for other calls. */
  flags: string[];
}

export interface ExecEvent extends EventBase {
  kind: "exec";
  path: string;
  argv: string[];
  /** Working directory of the process at the exec, as tracked by the parser (undefined if unknown). */
  cwd?: string | undefined;
}

export type SocketFamily = "inet" | "inet6" | "unix" | "netlink" | "other";

export interface SocketEvent extends EventBase {
  kind: "connect" | "bind" | "sendto";
  family: SocketFamily;
  /** IP address, or socket path for unix sockets ("@name" for abstract ones). */
  address: string;
  port: number | undefined;
}

export interface SpawnEvent extends EventBase {
  kind: "spawn";
  /**
   * The new process as the trace's line prefixes name it. Inside a PID namespace `ret` is the
   * namespace pid and this is the host pid strace printed next to it (`--decode-pids=pidns`).
   */
  childPid: number;
}

export interface ExitEvent extends EventBase {
  kind: "exit";
  /** Exit status, or the signal name for `+++ killed by SIGKILL +++`. */
  status: number | string;
}

/**
 * A call the sandbox's seccomp filter trapped (src/sandbox/seccomp.ts): strace's
 * `--- SIGSYS {si_code=SYS_SECCOMP, si_syscall=…} ---`. The call did not run. `syscall` is its
 * name; a call of another ABI than the host's (i386, x32) is named `<abi>:<name>`.
 */
export interface DeniedEvent extends EventBase {
  kind: "denied";
}

export type TraceEvent = FileEvent | ExecEvent | SocketEvent | SpawnEvent | ExitEvent | DeniedEvent;

/** Who an event is blamed on, decided by the process tree, never by output text. */
export interface Attribution {
  phase: Phase;
  /** Normalised distribution name, or undefined for pipcanary/pip's own work. */
  package: string | undefined;
  /** argv of the process that made the call, as last exec'd. */
  argv: string[];
}

export interface AttributedEvent {
  event: TraceEvent;
  attribution: Attribution;
}
