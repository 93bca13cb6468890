import { X32_SYSCALL_BIT, deniedSyscallName, hostSeccompArch } from "../sandbox/seccomp.ts";
import type { DeniedEvent, ExecEvent, FileEvent, FileEventKind, SocketEvent, SpawnEvent, TraceEvent } from "./events.ts";
import { type SocketAddress, readSocketAddress } from "./sockaddr.ts";
import {
  annotationStart,
  dirname,
  readAnnotationPath,
  readInt,
  readString,
  resolvePath,
  scanArgs,
  skipAnnotation,
  skipString,
} from "./strace-text.ts";

/**
 * The strace options every traced phase uses; the sandbox appends `-o <fifo>` and the command.
 * - `-f` follows children; with `-o` each line starts with the pid (`123  openat(…)`).
 * - `-q` drops attach/detach chatter but keeps `+++ exited with N +++` / `+++ killed by SIG +++`,
 *   which the process tree needs to know when a process ends (`-qq` would drop those too).
 * - `--seccomp-bpf` stops the tracee only for the traced calls, which keeps tracing cheap.
 * - `-yy` prints the path (or socket) behind every fd, including `AT_FDCWD</cwd>` and the fd an
 *   open returns, so symlinked, relative and dirfd-relative opens are seen as the real file.
 * - `-s 4096` keeps whole paths (PATH_MAX) and long `sh -c` command strings.
 * - no `-x`: non-printable bytes come out as C escapes, decoded by the parser; the raw trace stays
 *   readable for `--trace-file`.
 * - `signal=SIGSYS` prints the SIGSYS the sandbox's seccomp filter sends for a denied call (see
 *   src/sandbox/seccomp.ts) and drops `--- SIGCHLD … ---` and the other signal lines nobody needs.
 * - `--decode-pids=pidns`: in the sandbox's PID namespace a clone returns the namespace pid (2, 3,
 *   …) while line prefixes use strace's pids; this appends a comment with the host pid ("12344 in
 *   strace's PID NS") to the return, which the parser uses as the child's pid.
 * - the network calls are listed one by one rather than `%network`: recv*, getsockopt and friends
 *   would add a stop per downloaded chunk and carry no destination.
 * - the process calls too, rather than `%process` (`?`: fork and vfork exist on x86 only): the
 *   parser uses spawns, execs and exits only, and wait4, kill and friends carry pids, each of
 *   which `--decode-pids=pidns` translates by reading every /proc/<pid>/status of the host: that
 *   doubled the import phase's time.
 */
export const STRACE_ARGS: readonly string[] = [
  "-f",
  "-q",
  "--seccomp-bpf",
  "-yy",
  "-s",
  "4096",
  "--decode-pids=pidns",
  "-e",
  "signal=SIGSYS",
  "-e",
  "trace=%file,clone,clone3,?fork,?vfork,execve,execveat,exit,exit_group,fchdir,connect,bind,sendto,sendmsg,sendmmsg",
];

const enum Shape {
  /** path at `path`, optional dirfd at `dir`. */
  File,
  /** two paths: (dir, path) → (dir2, path2). */
  TwoPaths,
  /** symlink: the link text at `path`, the new name at (dir2, path2). */
  Symlink,
  Exec,
  Chdir,
  Fchdir,
  Socket,
  Spawn,
}

interface SyscallSpec {
  shape: Shape;
  kind: FileEventKind | "exec" | "connect" | "bind" | "sendto" | "spawn";
  dir: number;
  path: number;
  dir2: number;
  path2: number;
  /** Index of the flags argument for opens, -1 otherwise. */
  flags: number;
  /** Fixed flags for calls that imply them (creat). */
  impliedFlags: string[] | undefined;
}

function spec(shape: Shape, kind: SyscallSpec["kind"], dir: number, path: number, extra: Partial<SyscallSpec> = {}): SyscallSpec {
  return { shape, kind, dir, path, dir2: -1, path2: -1, flags: -1, impliedFlags: undefined, ...extra };
}

const SYSCALLS = new Map<string, SyscallSpec>([
  ["open", spec(Shape.File, "open", -1, 0, { flags: 1 })],
  ["openat", spec(Shape.File, "open", 0, 1, { flags: 2 })],
  ["openat2", spec(Shape.File, "open", 0, 1, { flags: 2 })],
  ["creat", spec(Shape.File, "open", -1, 0, { impliedFlags: ["O_WRONLY", "O_CREAT", "O_TRUNC"] })],
  ["stat", spec(Shape.File, "stat", -1, 0)],
  ["lstat", spec(Shape.File, "stat", -1, 0)],
  ["stat64", spec(Shape.File, "stat", -1, 0)],
  ["lstat64", spec(Shape.File, "stat", -1, 0)],
  ["access", spec(Shape.File, "stat", -1, 0)],
  ["newfstatat", spec(Shape.File, "stat", 0, 1)],
  ["fstatat64", spec(Shape.File, "stat", 0, 1)],
  ["statx", spec(Shape.File, "stat", 0, 1)],
  ["faccessat", spec(Shape.File, "stat", 0, 1)],
  ["faccessat2", spec(Shape.File, "stat", 0, 1)],
  ["readlink", spec(Shape.File, "readlink", -1, 0)],
  ["readlinkat", spec(Shape.File, "readlink", 0, 1)],
  ["unlink", spec(Shape.File, "unlink", -1, 0)],
  ["rmdir", spec(Shape.File, "unlink", -1, 0)],
  ["unlinkat", spec(Shape.File, "unlink", 0, 1)],
  ["mkdir", spec(Shape.File, "mkdir", -1, 0)],
  ["mkdirat", spec(Shape.File, "mkdir", 0, 1)],
  ["chmod", spec(Shape.File, "chmod", -1, 0)],
  ["fchmodat", spec(Shape.File, "chmod", 0, 1)],
  ["chown", spec(Shape.File, "chmod", -1, 0)],
  ["lchown", spec(Shape.File, "chmod", -1, 0)],
  ["fchownat", spec(Shape.File, "chmod", 0, 1)],
  ["truncate", spec(Shape.File, "write", -1, 0)],
  ["mknod", spec(Shape.File, "write", -1, 0)],
  ["mknodat", spec(Shape.File, "write", 0, 1)],
  ["utime", spec(Shape.File, "chmod", -1, 0)],
  ["utimes", spec(Shape.File, "chmod", -1, 0)],
  ["utimensat", spec(Shape.File, "chmod", 0, 1)],
  ["futimesat", spec(Shape.File, "chmod", 0, 1)],
  ["setxattr", spec(Shape.File, "chmod", -1, 0)],
  ["lsetxattr", spec(Shape.File, "chmod", -1, 0)],
  ["removexattr", spec(Shape.File, "chmod", -1, 0)],
  ["lremovexattr", spec(Shape.File, "chmod", -1, 0)],
  ["getxattr", spec(Shape.File, "stat", -1, 0)],
  ["lgetxattr", spec(Shape.File, "stat", -1, 0)],
  ["listxattr", spec(Shape.File, "stat", -1, 0)],
  ["llistxattr", spec(Shape.File, "stat", -1, 0)],
  ["statfs", spec(Shape.File, "stat", -1, 0)],
  ["name_to_handle_at", spec(Shape.File, "stat", 0, 1)],
  ["inotify_add_watch", spec(Shape.File, "stat", -1, 1)],
  ["rename", spec(Shape.TwoPaths, "rename", -1, 0, { path2: 1 })],
  ["renameat", spec(Shape.TwoPaths, "rename", 0, 1, { dir2: 2, path2: 3 })],
  ["renameat2", spec(Shape.TwoPaths, "rename", 0, 1, { dir2: 2, path2: 3 })],
  ["link", spec(Shape.TwoPaths, "link", -1, 0, { path2: 1 })],
  ["linkat", spec(Shape.TwoPaths, "link", 0, 1, { dir2: 2, path2: 3 })],
  ["symlink", spec(Shape.Symlink, "link", -1, 0, { path2: 1 })],
  ["symlinkat", spec(Shape.Symlink, "link", -1, 0, { dir2: 1, path2: 2 })],
  ["chdir", spec(Shape.Chdir, "chdir", -1, 0)],
  ["fchdir", spec(Shape.Fchdir, "chdir", 0, -1)],
  ["execve", spec(Shape.Exec, "exec", -1, 0)],
  ["execveat", spec(Shape.Exec, "exec", 0, 1)],
  ["connect", spec(Shape.Socket, "connect", -1, 1)],
  ["bind", spec(Shape.Socket, "bind", -1, 1)],
  ["sendto", spec(Shape.Socket, "sendto", -1, 4)],
  ["sendmsg", spec(Shape.Socket, "sendto", -1, 1)],
  ["sendmmsg", spec(Shape.Socket, "sendto", -1, 1)],
  ["clone", spec(Shape.Spawn, "spawn", -1, -1)],
  ["clone3", spec(Shape.Spawn, "spawn", -1, -1)],
  ["fork", spec(Shape.Spawn, "spawn", -1, -1)],
  ["vfork", spec(Shape.Spawn, "spawn", -1, -1)],
]);

/** Counters a caller can log; `problems` are lines that looked like a call but did not parse. */
export interface ParseStats {
  lines: number;
  events: number;
  /** Well-formed lines that carry nothing the rules use (wait4, signals, getcwd, …). */
  ignored: number;
  problems: number;
}

export interface ParserOptions {
  /**
   * Pid for lines without a pid prefix (strace writing to stderr omits it for its first child).
   * Once the child's real pid shows up in a prefixed line it is reported as this pid as well, so
   * one process never gets two ids. With `-o` every line is prefixed and this never applies.
   */
  defaultPid?: number;
  /** Working directory of processes whose cwd has not been seen yet. */
  initialCwd?: string;
  /** Each line the parser could not read (counted in `stats.problems` too), so none is dropped unseen. */
  onProblem?: (line: string) => void;
}

/** The current directory of a process; threads created with CLONE_FS share one box. */
interface CwdBox {
  path: string | undefined;
}

const UNFINISHED = " <unfinished ...>";
const SIGSYS_OPEN = "--- SIGSYS {";
/** si_arch values of the ABIs seccomp.ts writes its filter for; any other is a foreign ABI. */
const NATIVE_ABIS = new Set(["x86_64", "aarch64"]);
const PIDNS_OPEN = " /* ";
const PIDNS_CLOSE = " in strace's PID NS */";
const EMPTY_FLAGS: string[] = [];
const MAX_ARGS = 8;

/**
 * Streaming parser: one strace line in, at most one typed event out. It never throws on input;
 * unparseable lines are counted in `stats.problems` and skipped.
 */
export class StraceParser {
  readonly stats: ParseStats = { lines: 0, events: 0, ignored: 0, problems: 0 };
  private readonly defaultPid: number;
  private readonly initialCwd: string | undefined;
  private readonly onProblem: ((line: string) => void) | undefined;
  private readonly pending = new Map<number, string>();
  private readonly cwds = new Map<number, CwdBox>();
  private readonly flagCache = new Map<string, string[]>();
  private readonly bounds = new Int32Array(MAX_ARGS * 2);
  private readonly argCount = { n: 0 };
  /** The real pid behind unprefixed lines, once a resume has revealed it. */
  private rootAlias = -1;

  constructor(options: ParserOptions = {}) {
    this.defaultPid = options.defaultPid ?? 0;
    this.initialCwd = options.initialCwd;
    this.onProblem = options.onProblem;
  }

  /** The working directory the parser has tracked for `pid`. */
  cwdOf(pid: number): string | undefined {
    return this.cwds.get(pid)?.path ?? this.initialCwd;
  }

  parse(line: string): TraceEvent | undefined {
    this.stats.lines++;
    const problems = this.stats.problems;
    let event: TraceEvent | undefined;
    try {
      event = this.parseLine(line);
      if (event) this.stats.events++;
    } catch {
      this.stats.problems++;
    }
    if (this.stats.problems !== problems) this.onProblem?.(line);
    return event;
  }

  private parseLine(line: string): TraceEvent | undefined {
    const n = line.length;
    if (n === 0) return this.ignore();
    let i = 0;
    let pid = this.defaultPid;
    const first = line.charCodeAt(0);
    if (first === 91 && line.startsWith("[pid", 0)) {
      i = 4;
      while (line.charCodeAt(i) === 32) i++;
      pid = readInt(line, i, n);
      const close = line.indexOf("] ", i);
      if (Number.isNaN(pid) || close === -1) return this.problem();
      i = close + 2;
      if (pid === this.rootAlias) pid = this.defaultPid;
    } else if (first >= 48 && first <= 57) {
      pid = readInt(line, 0, n);
      while (i < n && line.charCodeAt(i) !== 32) i++;
      if (i === n) return this.problem();
      while (line.charCodeAt(i) === 32) i++;
    }
    const c = line.charCodeAt(i);
    if (c === 43) return this.parseExit(line, i, pid); // +++
    if (c === 45 && line.startsWith(SIGSYS_OPEN, i)) return this.parseSigsys(line, i, pid);
    if (c === 45 || (c === 115 && line.startsWith("strace: ", i))) { // --- signal ---, strace: messages
      this.stats.ignored++;
      return undefined;
    }
    if (c === 60) return this.resume(line, i, pid); // <... name resumed>
    if (line.endsWith(UNFINISHED)) {
      this.pending.set(pid, line.slice(i, n - UNFINISHED.length));
      return undefined;
    }
    return this.parseCall(line, i, pid, line);
  }

  private problem(): undefined {
    this.stats.problems++;
    return undefined;
  }

  private parseExit(line: string, i: number, pid: number): TraceEvent | undefined {
    this.pending.delete(pid);
    this.cwds.delete(pid);
    const exited = line.indexOf("exited with ", i);
    let status: number | string;
    if (exited !== -1) {
      status = readInt(line, exited + 12, line.length);
    } else {
      const killed = line.indexOf("killed by ", i);
      if (killed === -1) return this.problem();
      const start = killed + 10;
      let end = start;
      while (end < line.length && line.charCodeAt(end) !== 32) end++;
      status = line.slice(start, end);
    }
    if (typeof status === "number" && Number.isNaN(status)) return this.problem();
    return { kind: "exit", pid, syscall: "exit", ret: undefined, errno: undefined, raw: line, status };
  }

  /**
   * `--- SIGSYS {si_signo=SIGSYS, si_code=SYS_SECCOMP, …, si_syscall=__NR_ptrace, si_arch=AUDIT_ARCH_X86_64} ---`.
   * A SIGSYS sent by kill() has another si_code and is no denial. Numbers strace cannot name are
   * printed bare, and x32 numbers (with X32_SYSCALL_BIT) with the name in a C comment after them.
   */
  private parseSigsys(line: string, i: number, pid: number): DeniedEvent | undefined {
    if (line.indexOf("si_code=SYS_SECCOMP", i) === -1) return this.ignore();
    const syscallText = fieldOf(line, "si_syscall=", i);
    const archText = fieldOf(line, "si_arch=", i);
    if (syscallText === undefined || archText === undefined) return this.problem();
    const arch = archText.startsWith("AUDIT_ARCH_") ? archText.slice(11).toLowerCase() : archText;
    let name: string;
    let abi = NATIVE_ABIS.has(arch) ? undefined : arch;
    if (syscallText.startsWith("__NR_")) {
      name = syscallText.slice(5);
    } else {
      const nr = readInt(syscallText, 0, syscallText.length);
      if (Number.isNaN(nr)) return this.problem();
      const comment = syscallText.indexOf("/* ");
      const commentName = comment === -1 ? undefined : syscallText.slice(comment + 3, syscallText.indexOf(" */", comment));
      if (abi === undefined && nr >= X32_SYSCALL_BIT) abi = "x32";
      const host = hostSeccompArch();
      name = commentName ?? (abi === undefined && host !== undefined ? deniedSyscallName(host, nr) : undefined) ?? `syscall_${nr}`;
    }
    const syscall = abi === undefined ? name : `${abi}:${name}`;
    return { kind: "denied", pid, syscall, ret: undefined, errno: undefined, raw: line };
  }

  private resume(line: string, i: number, pid: number): TraceEvent | undefined {
    const marker = line.indexOf(" resumed>", i);
    let head = this.pending.get(pid);
    if (head === undefined && marker !== -1 && pid !== this.defaultPid) {
      // Without -o, strace leaves its first child's lines unprefixed until other processes
      // appear; a resume of an unprefixed call reveals that child's real pid.
      const orphan = this.pending.get(this.defaultPid);
      if (orphan !== undefined && orphan.startsWith(line.slice(i + 5, marker))) {
        this.rootAlias = pid;
        pid = this.defaultPid;
        head = orphan;
      }
    }
    if (marker === -1 || head === undefined) return this.problem();
    this.pending.delete(pid);
    const name = line.slice(i + 5, marker);
    if (!head.startsWith(name)) return this.problem();
    let rest = marker + 9;
    if (line.endsWith(UNFINISHED)) {
      // Interrupted again before returning: keep waiting for the final resume.
      this.pending.set(pid, head + line.slice(rest, line.length - UNFINISHED.length));
      return undefined;
    }
    if (line.charCodeAt(rest) === 32 && line.charCodeAt(rest + 1) !== 61) rest++;
    const text = head + line.slice(rest);
    return this.parseCall(text, 0, pid, `${head}${UNFINISHED}\n${line}`);
  }

  private parseCall(s: string, start: number, pid: number, raw: string): TraceEvent | undefined {
    const open = s.indexOf("(", start);
    if (open === -1) return this.problem();
    const name = s.slice(start, open);
    const sc = SYSCALLS.get(name);
    if (sc === undefined) {
      this.stats.ignored++;
      return undefined;
    }
    if (sc.kind === "stat" && sc.dir === 0 && isFdStat(s, open + 1)) return this.ignore();
    const bounds = this.bounds;
    const close = scanArgs(s, open + 1, bounds, this.argCount);
    if (close === -1) return this.problem();
    const argc = this.argCount.n;

    // Return value: ` = 3</path>`, ` = -1 ENOENT (…)`, ` = ?`, ` = 0x…`.
    let r = close + 1;
    while (s.charCodeAt(r) === 32) r++;
    if (s.charCodeAt(r) !== 61) return this.problem();
    r += 2;
    let ret: number | undefined;
    let errno: string | undefined;
    let retPath: string | undefined;
    let hostRet: number | undefined;
    if (s.charCodeAt(r) !== 63) {
      if (s.charCodeAt(r) === 48 && s.charCodeAt(r + 1) === 120) {
        let e = r + 2;
        while (e < s.length && s.charCodeAt(e) !== 32) e++;
        ret = Number(s.slice(r, e));
      } else {
        ret = readInt(s, r, s.length);
        if (Number.isNaN(ret)) return this.problem();
        let e = r + 1;
        while (e < s.length) {
          const ch = s.charCodeAt(e);
          if (ch < 48 || ch > 57) break;
          e++;
        }
        if (s.charCodeAt(e) === 32 && s.startsWith(PIDNS_OPEN, e)) {
          const host = readInt(s, e + PIDNS_OPEN.length, s.length);
          if (!Number.isNaN(host) && s.startsWith(PIDNS_CLOSE, s.indexOf(" ", e + PIDNS_OPEN.length))) hostRet = host;
        }
        if (ret < 0) {
          const errStart = e + 1;
          let errEnd = errStart;
          while (errEnd < s.length && s.charCodeAt(errEnd) !== 32) errEnd++;
          if (errEnd > errStart) errno = s.slice(errStart, errEnd);
        } else if (s.charCodeAt(e) === 60) {
          retPath = readAnnotationPath(s, e);
        }
      }
    }

    switch (sc.shape) {
      case Shape.File:
        return this.fileEvent(s, sc, argc, pid, name, ret, errno, retPath, raw);
      case Shape.TwoPaths:
      case Shape.Symlink:
        return this.twoPathEvent(s, sc, argc, pid, name, ret, errno, raw);
      case Shape.Chdir:
        return this.chdirEvent(s, argc, pid, name, ret, errno, raw);
      case Shape.Fchdir:
        return this.fchdirEvent(s, argc, pid, name, ret, errno, raw);
      case Shape.Exec:
        return this.execEvent(s, sc, argc, pid, name, ret, errno, raw);
      case Shape.Socket:
        return this.socketEvent(s, sc, argc, pid, name, ret, errno, raw);
      case Shape.Spawn:
        return this.spawnEvent(s, argc, open, close, pid, name, ret, hostRet ?? ret, errno, raw);
    }
  }

  /**
   * The directory a dirfd argument points at (undefined for a non-directory fd). Every
   * `AT_FDCWD</dir>` also refreshes the process's cwd, without decoding it when unchanged.
   * `needed: false` skips decoding a plain dirfd whose path will not be used.
   */
  private dirOf(s: string, argIndex: number, argc: number, pid: number, needed = true): string | undefined {
    if (argIndex < 0 || argIndex >= argc) return needed ? this.cwdOf(pid) : undefined;
    const a = this.bounds[argIndex * 2] ?? 0;
    const b = this.bounds[argIndex * 2 + 1] ?? 0;
    const lt = annotationStart(s, a, b);
    const isCwd = s.charCodeAt(a) === 65 && s.startsWith("AT_FDCWD", a);
    if (lt === -1) return isCwd ? this.cwdOf(pid) : undefined;
    if (!isCwd) return needed ? readAnnotationPath(s, lt) : undefined;
    const box = this.cwdBox(pid);
    const known = box.path;
    if (known !== undefined && s.charCodeAt(lt + 1 + known.length) === 62 && s.startsWith(known, lt + 1)) return known;
    const dir = readAnnotationPath(s, lt);
    if (dir !== undefined) box.path = dir;
    return dir;
  }

  private argIs(s: string, argIndex: number, argc: number, text: string): boolean {
    const a = this.bounds[argIndex * 2] ?? 0;
    return argIndex < argc && (this.bounds[argIndex * 2 + 1] ?? 0) - a === text.length && s.startsWith(text, a);
  }

  private stringArg(s: string, argIndex: number, argc: number): string | undefined {
    if (argIndex < 0 || argIndex >= argc) return undefined;
    return readString(s, this.bounds[argIndex * 2] ?? 0, this.bounds[argIndex * 2 + 1] ?? 0);
  }

  private cwdBox(pid: number): CwdBox {
    let box = this.cwds.get(pid);
    if (box === undefined) {
      box = { path: this.initialCwd };
      this.cwds.set(pid, box);
    }
    return box;
  }

  private flagsArg(s: string, sc: SyscallSpec, argc: number): string[] {
    if (sc.impliedFlags) return sc.impliedFlags;
    if (sc.flags < 0 || sc.flags >= argc) return EMPTY_FLAGS;
    let a = this.bounds[sc.flags * 2] ?? 0;
    let b = this.bounds[sc.flags * 2 + 1] ?? 0;
    if (s.charCodeAt(a) === 123) {
      // openat2: {flags=O_RDONLY|O_CLOEXEC, mode=…, resolve=…}
      const at = s.indexOf("flags=", a);
      if (at === -1 || at > b) return EMPTY_FLAGS;
      a = at + 6;
      b = a;
      while (b < s.length && s.charCodeAt(b) !== 44 && s.charCodeAt(b) !== 125) b++;
    }
    const text = s.slice(a, b);
    let flags = this.flagCache.get(text);
    if (flags === undefined) {
      flags = text.split("|");
      if (this.flagCache.size < 4096) this.flagCache.set(text, flags);
    }
    return flags;
  }

  private fileEvent(
    s: string, sc: SyscallSpec, argc: number, pid: number, name: string,
    ret: number | undefined, errno: string | undefined, retPath: string | undefined, raw: string,
  ): FileEvent | undefined {
    let arg = this.stringArg(s, sc.path, argc);
    if (arg === undefined) {
      // utimensat(fd, NULL, …) acts on the fd itself, like an empty path.
      if (sc.dir < 0 || !this.argIs(s, sc.path, argc, "NULL")) return this.problem();
      arg = "";
    }
    const relative = arg.charCodeAt(0) !== 47;
    const dir = this.dirOf(s, sc.dir, argc, pid, relative);
    let requested: string;
    if (arg === "" && sc.dir >= 0) {
      // fstatat(fd, "", AT_EMPTY_PATH) and friends act on the fd itself.
      if (dir === undefined) return this.ignore();
      requested = dir;
    } else requested = resolvePath(dir, arg);
    const flags = sc.flags >= 0 || sc.impliedFlags ? this.flagsArg(s, sc, argc) : EMPTY_FLAGS;
    // The fd's path sees through symlinks; the requested one is kept too when it differs.
    const path = retPath ?? requested;
    return {
      kind: sc.kind as FileEventKind, pid, syscall: name, ret, errno, raw, path, target: undefined, flags,
      requested: requested === path ? undefined : requested,
    };
  }

  private ignore(): undefined {
    this.stats.ignored++;
    return undefined;
  }

  private twoPathEvent(
    s: string, sc: SyscallSpec, argc: number, pid: number, name: string,
    ret: number | undefined, errno: string | undefined, raw: string,
  ): FileEvent | undefined {
    const first = this.stringArg(s, sc.path, argc);
    const second = this.stringArg(s, sc.path2, argc);
    if (first === undefined || second === undefined) return this.problem();
    const dir2 = sc.dir2 >= 0 ? this.dirOf(s, sc.dir2, argc, pid) : this.cwdOf(pid);
    const target = resolvePath(dir2, second);
    // A symlink's text is relative to the directory the link is created in.
    const path = sc.shape === Shape.Symlink
      ? resolvePath(dirname(target), first)
      : resolvePath(sc.dir >= 0 ? this.dirOf(s, sc.dir, argc, pid) : this.cwdOf(pid), first);
    return { kind: sc.kind as FileEventKind, pid, syscall: name, ret, errno, raw, path, target, flags: EMPTY_FLAGS };
  }

  private chdirEvent(
    s: string, argc: number, pid: number, name: string, ret: number | undefined, errno: string | undefined, raw: string,
  ): FileEvent | undefined {
    const arg = this.stringArg(s, 0, argc);
    if (arg === undefined) return this.problem();
    const path = resolvePath(this.cwdOf(pid), arg);
    if (ret === 0) this.cwdBox(pid).path = path;
    return { kind: "chdir", pid, syscall: name, ret, errno, raw, path, target: undefined, flags: EMPTY_FLAGS };
  }

  private fchdirEvent(
    s: string, argc: number, pid: number, name: string, ret: number | undefined, errno: string | undefined, raw: string,
  ): FileEvent | undefined {
    if (argc < 1) return this.problem();
    const lt = annotationStart(s, this.bounds[0] ?? 0, this.bounds[1] ?? 0);
    const path = lt === -1 ? undefined : readAnnotationPath(s, lt);
    if (path === undefined) return this.ignore();
    if (ret === 0) this.cwdBox(pid).path = path;
    return { kind: "chdir", pid, syscall: name, ret, errno, raw, path, target: undefined, flags: EMPTY_FLAGS };
  }

  private execEvent(
    s: string, sc: SyscallSpec, argc: number, pid: number, name: string,
    ret: number | undefined, errno: string | undefined, raw: string,
  ): ExecEvent | undefined {
    const dir = sc.dir >= 0 ? this.dirOf(s, sc.dir, argc, pid) : this.cwdOf(pid);
    const arg = this.stringArg(s, sc.path, argc);
    if (arg === undefined) return this.problem();
    const argvIndex = sc.path + 1;
    if (argvIndex >= argc) return this.problem();
    const argv = readStringArray(s, this.bounds[argvIndex * 2] ?? 0, this.bounds[argvIndex * 2 + 1] ?? 0);
    return { kind: "exec", pid, syscall: name, ret, errno, raw, path: resolvePath(dir, arg), argv, cwd: this.cwdOf(pid) };
  }

  private socketEvent(
    s: string, sc: SyscallSpec, argc: number, pid: number, name: string,
    ret: number | undefined, errno: string | undefined, raw: string,
  ): SocketEvent | undefined {
    if (sc.path >= argc) return this.problem();
    let a = this.bounds[sc.path * 2] ?? 0;
    const b = this.bounds[sc.path * 2 + 1] ?? 0;
    if (name === "sendmsg" || name === "sendmmsg") {
      const at = s.indexOf("msg_name={", a);
      if (at === -1 || at > b) return this.ignore();
      a = at + 9;
    }
    if (s.charCodeAt(a) !== 123) return this.ignore(); // NULL: a connected socket, no destination
    const address: SocketAddress | undefined = readSocketAddress(s, a, b);
    if (address === undefined) return this.problem();
    return {
      kind: sc.kind as SocketEvent["kind"], pid, syscall: name, ret, errno, raw,
      family: address.family, address: address.address, port: address.port,
    };
  }

  /** `child` is the pid the trace's prefixes use: the host pid when strace appended one. */
  private spawnEvent(
    s: string, argc: number, open: number, close: number, pid: number, name: string,
    ret: number | undefined, child: number | undefined, errno: string | undefined, raw: string,
  ): SpawnEvent | undefined {
    if (ret === undefined || child === undefined || ret <= 0) return this.ignore();
    const parentBox = this.cwds.get(pid);
    const childBox = this.cwds.get(child);
    if (childBox === undefined || childBox.path === undefined) {
      const sharesFs = argc > 0 && sharesFilesystem(s, open, close);
      const inherited = parentBox?.path ?? this.initialCwd;
      this.cwds.set(child, sharesFs ? this.cwdBox(pid) : { path: inherited });
    }
    return { kind: "spawn", pid, syscall: name, ret, errno, raw, childPid: child };
  }
}

/**
 * `newfstatat(3</path>, "", …, AT_EMPTY_PATH)`: an fstat of an fd whose open was already an
 * event, so it reveals no new access. A third of a Python trace is these; skipping them early
 * saves scanning their stat struct.
 */
function isFdStat(s: string, arg: number): boolean {
  const c = s.charCodeAt(arg);
  if (c < 48 || c > 57) return false;
  const lt = s.indexOf("<", arg);
  if (lt === -1) return false;
  const end = skipAnnotation(s, lt);
  return end !== -1 && s.startsWith(', "", ', end);
}

/** CLONE_FS makes parent and child share one cwd, so later chdirs apply to both. */
function sharesFilesystem(s: string, open: number, close: number): boolean {
  let at = s.indexOf("CLONE_FS", open);
  while (at !== -1 && at < close) {
    const next = s.charCodeAt(at + 8);
    if (next === 124 || next === 44 || next === 125 || next === 41) return true;
    at = s.indexOf("CLONE_FS", at + 8);
  }
  return false;
}

/** The text of `key` up to the next `, ` or `}` in a `{key=value, …}` struct. */
function fieldOf(line: string, key: string, from: number): string | undefined {
  const at = line.indexOf(key, from);
  if (at === -1) return undefined;
  const start = at + key.length;
  let end = line.indexOf(", ", start);
  const brace = line.indexOf("}", start);
  if (end === -1 || (brace !== -1 && brace < end)) end = brace;
  return end === -1 ? undefined : line.slice(start, end);
}

/** `["sh", "-c", "…"]` → strings; stops at the `...` elision strace prints for long arrays. */
function readStringArray(s: string, start: number, end: number): string[] {
  const out: string[] = [];
  if (s.charCodeAt(start) !== 91) return out;
  let i = start + 1;
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c === 34) {
      const close = skipString(s, i);
      if (close === -1 || close > end) break;
      const value = readString(s, i, close);
      if (value !== undefined) out.push(value);
      i = close;
      // `"abc"...` marks a string cut at -s; keep the prefix we have.
      if (s.startsWith("...", i)) i += 3;
    } else if (c === 93) {
      break;
    } else {
      i++;
    }
  }
  return out;
}
