import { describe, expect, test } from "bun:test";
import type { ExecEvent, FileEvent, SocketEvent, TraceEvent } from "../../src/trace/events.ts";
import { STRACE_ARGS, StraceParser } from "../../src/trace/parser.ts";
import { fixtureLines, parseAll } from "./fixture.ts";

function files(events: TraceEvent[]): FileEvent[] {
  return events.filter((e): e is FileEvent => "path" in e && e.kind !== "exec");
}

describe("STRACE_ARGS", () => {
  test("follows children, decodes fds, keeps exit lines and traces the needed call sets", () => {
    expect(STRACE_ARGS).toContain("-f");
    expect(STRACE_ARGS).toContain("-yy");
    expect(STRACE_ARGS).toContain("--seccomp-bpf");
    expect(STRACE_ARGS).not.toContain("-qq");
    const trace = STRACE_ARGS.find((arg) => arg.startsWith("trace="));
    expect(trace).toContain("%file");
    for (const call of ["clone", "clone3", "?fork", "?vfork", "execve", "execveat", "exit_group"]) expect(trace?.split(/[=,]/)).toContain(call);
    expect(trace).toContain("connect");
    expect(trace).toContain("fchdir");
    expect(STRACE_ARGS).toContain("--decode-pids=pidns");
  });

  test("prints the SIGSYS of a denied call and no other signal", () => {
    expect(STRACE_ARGS.join(" ")).toContain("-e signal=SIGSYS");
    expect(STRACE_ARGS).not.toContain("signal=none");
  });
});

describe("calls the seccomp filter denied", () => {
  const sigsys = (fields: string) => `7 --- SIGSYS {si_signo=SIGSYS, si_code=SYS_SECCOMP, si_call_addr=0x7f96, ${fields}} ---`;

  test("a trapped call becomes a denied event of the caller, named without __NR_", () => {
    const parser = new StraceParser();
    const line = sigsys("si_syscall=__NR_io_uring_setup, si_arch=AUDIT_ARCH_X86_64");
    expect(parser.parse(line)).toEqual({ kind: "denied", pid: 7, syscall: "io_uring_setup", ret: undefined, errno: undefined, raw: line });
    expect(parser.parse(sigsys("si_syscall=__NR_clone, si_arch=AUDIT_ARCH_AARCH64"))).toMatchObject({ kind: "denied", syscall: "clone" });
  });

  test("si_errno before the address does not disturb the fields", () => {
    const line = "7 --- SIGSYS {si_signo=SIGSYS, si_code=SYS_SECCOMP, si_errno=EPERM, si_call_addr=0x1, si_syscall=__NR_ptrace, si_arch=AUDIT_ARCH_X86_64} ---";
    expect(new StraceParser().parse(line)).toMatchObject({ kind: "denied", syscall: "ptrace" });
  });

  test("calls of another ABI are named <abi>:<name>", () => {
    const parser = new StraceParser();
    expect(parser.parse(sigsys("si_syscall=1073741863 /* getpid */, si_arch=AUDIT_ARCH_X86_64"))).toMatchObject({ syscall: "x32:getpid" });
    expect(parser.parse(sigsys("si_syscall=__NR_getpid, si_arch=AUDIT_ARCH_I386"))).toMatchObject({ syscall: "i386:getpid" });
  });

  test("a number strace cannot name is named from the filter's own table", () => {
    const parser = new StraceParser();
    expect(parser.parse(sigsys("si_syscall=467, si_arch=AUDIT_ARCH_X86_64"))).toMatchObject({ syscall: "open_tree_attr" });
    expect(parser.parse(sigsys("si_syscall=999, si_arch=AUDIT_ARCH_X86_64"))).toMatchObject({ syscall: "syscall_999" });
  });

  test("a SIGSYS sent by kill() and other signals are no denials", () => {
    const parser = new StraceParser();
    expect(parser.parse("7 --- SIGSYS {si_signo=SIGSYS, si_code=SI_USER, si_pid=3, si_uid=0} ---")).toBeUndefined();
    expect(parser.parse("7 --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=8, si_uid=0, si_status=0} ---")).toBeUndefined();
    expect(parser.stats.problems).toBe(0);
  });

  test("a SIGSYS line without the syscall is a problem, not an exception", () => {
    const parser = new StraceParser();
    expect(parser.parse("7 --- SIGSYS {si_signo=SIGSYS, si_code=SYS_SECCOMP} ---")).toBeUndefined();
    expect(parser.stats.problems).toBe(1);
  });

  test("execveat of a memfd carries the memfd's path", () => {
    const event = new StraceParser().parse('7 execveat(3</memfd:payload>(deleted), "", ["true"], 0x7fd3 /* 0 vars */, AT_EMPTY_PATH) = 0');
    expect(event).toMatchObject({ kind: "exec", syscall: "execveat", path: "/memfd:payload", argv: ["true"] });
  });
});

describe("captured fixtures", () => {
  test("every fixture line parses without a problem", () => {
    for (const name of ["cat-os-release", "python-open", "symlink", "relative-after-chdir", "dirfd-open", "connect", "fork", "escapes", "subprocess", "stderr-prefix", "pidns"]) {
      const { parser } = parseAll(fixtureLines(name));
      expect({ name, problems: parser.stats.problems }).toEqual({ name, problems: 0 });
      expect(parser.stats.events).toBeGreaterThan(0);
    }
  });

  test("cat /etc/os-release: the returned fd shows the real file behind the symlink", () => {
    const { events } = parseAll(fixtureLines("cat-os-release"));
    const open = files(events).find((e) => e.kind === "open" && e.syscall === "openat" && e.path.endsWith("os-release"));
    expect(open?.path).toBe("/usr/lib/os-release");
    expect(open?.flags).toEqual(["O_RDONLY"]);
    expect(open?.ret).toBe(3);
    const exec = events.find((e): e is ExecEvent => e.kind === "exec");
    expect(exec?.argv).toEqual(["cat", "/etc/os-release"]);
    // The very first exec comes before any call that reveals the cwd.
    expect(exec?.cwd).toBeUndefined();
    expect(events.at(-1)).toMatchObject({ kind: "exit", status: 0 });
  });

  test("python open of /etc/hostname", () => {
    const { events } = parseAll(fixtureLines("python-open"));
    expect(files(events).some((e) => e.kind === "open" && e.path === "/etc/hostname" && e.flags.includes("O_CLOEXEC"))).toBe(true);
  });

  test("symlink: symlinkat names the link and its target, the open sees through it", () => {
    const { events } = parseAll(fixtureLines("symlink"));
    const link = files(events).find((e) => e.syscall === "symlinkat");
    expect(link).toMatchObject({ kind: "link", path: "/etc/hostname", target: "/tmp/pipcanary-fixture/link" });
    const open = files(events).find((e) => e.kind === "open" && e.raw.includes('"link"'));
    expect(open?.path).toBe("/etc/hostname");
    expect(open?.requested).toBe("/tmp/pipcanary-fixture/link");
    const unlink = files(events).find((e) => e.kind === "unlink");
    expect(unlink?.path).toBe("/tmp/pipcanary-fixture/link");
  });

  test("relative path after cd resolves against the new cwd", () => {
    const { events } = parseAll(fixtureLines("relative-after-chdir"));
    const chdir = files(events).find((e) => e.kind === "chdir");
    expect(chdir?.path).toBe("/tmp");
    const open = files(events).find((e) => e.kind === "open" && e.raw.includes("./pipcanary-fixture/x"));
    expect(open?.path).toBe("/tmp/pipcanary-fixture/x");
  });

  test("dirfd-relative opens resolve against the dirfd, also when they fail", () => {
    const { events } = parseAll(fixtureLines("dirfd-open"));
    const opens = files(events).filter((e) => e.kind === "open" && e.raw.includes("openat(3</etc>"));
    expect(opens.map((e) => [e.path, e.errno])).toEqual([
      ["/etc/hostname", undefined],
      ["/etc/pipcanary-missing", "ENOENT"],
    ]);
  });

  test("socket addresses: inet, inet6, unix, abstract unix, sendto", () => {
    const { events } = parseAll(fixtureLines("connect"));
    const sockets = events.filter((e): e is SocketEvent => e.kind === "connect" || e.kind === "sendto");
    expect(sockets.map((e) => [e.kind, e.family, e.address, e.port, e.errno])).toEqual([
      ["connect", "inet", "127.0.0.9", 4444, "ECONNREFUSED"],
      ["connect", "inet6", "::1", 4444, "ECONNREFUSED"],
      ["connect", "unix", "/run/pipcanary-none.sock", undefined, "ENOENT"],
      ["connect", "unix", "@pipcanary-abstract", undefined, "ECONNREFUSED"],
      ["sendto", "inet", "127.0.0.9", 5353, undefined],
    ]);
  });

  test("fork: clone returns the child, the child inherits the cwd, exit status is kept", () => {
    const { events } = parseAll(fixtureLines("fork"));
    const spawn = events.find((e) => e.kind === "spawn");
    expect(spawn?.kind === "spawn" && spawn.childPid).toBeGreaterThan(0);
    const child = spawn?.kind === "spawn" ? spawn.childPid : -1;
    const childExit = events.find((e) => e.kind === "exit" && e.pid === child);
    expect(childExit).toMatchObject({ status: 3 });
  });

  test("escaped paths decode quotes, backslashes, control bytes, octal UTF-8 and -yy's escaped <>", () => {
    const { events } = parseAll(fixtureLines("escapes"));
    const paths = new Set(files(events).filter((e) => e.kind === "open").map((e) => e.path));
    expect(paths.has("/tmp/pipcanary-fixture/sub/q\"b\\s\nn\tt\u00015\u00e9 <>")).toBe(true);
    expect(paths.has("/tmp/pipcanary-fixture/sub/we>ird<name")).toBe(true);
    const unlinks = files(events).filter((e) => e.kind === "unlink").map((e) => e.path);
    expect(unlinks).toContain("/tmp/pipcanary-fixture/sub/we>ird<name");
    const writes = files(events).filter((e) => e.kind === "open" && e.flags.includes("O_CREAT"));
    expect(writes.length).toBe(2);
  });

  test("subprocess: vfork/execve unfinished and resumed across pids become one event each", () => {
    const { events } = parseAll(fixtureLines("subprocess"));
    const execs = events.filter((e): e is ExecEvent => e.kind === "exec" && e.ret === 0);
    expect(execs.map((e) => e.argv[0])).toEqual(["/usr/bin/python3", "sh", "uname"]);
    expect(execs[1]?.argv).toEqual(["sh", "-c", "uname -s > /dev/null"]);
    expect(execs[1]?.cwd).toBe("/tmp/pipcanary-fixture");
    const spawns = events.filter((e) => e.kind === "spawn");
    expect(spawns.length).toBe(2);
  });

  test("PID namespace: a clone's child is named by the host pid strace appends", () => {
    const { events } = parseAll(fixtureLines("pidns"));
    const spawns = events.filter((e) => e.kind === "spawn");
    expect(spawns.length).toBeGreaterThanOrEqual(3);
    for (const spawn of spawns) {
      if (spawn.kind !== "spawn") continue;
      // Every child named by a spawn makes calls under that very pid.
      expect(events.some((e) => e.pid === spawn.childPid && e.kind !== "spawn")).toBe(true);
    }
    const nested = spawns.find((e) => e.raw.includes("PID NS"));
    expect(nested?.kind === "spawn" && nested.childPid !== nested.ret).toBe(true);
    expect(files(events).some((e) => e.path === "/proc/1/cmdline")).toBe(true);
  });

  test("stderr form: [pid N] prefixes, and the unprefixed first child keeps one id", () => {
    const { events } = parseAll(fixtureLines("stderr-prefix"));
    const spawn = events.find((e) => e.kind === "spawn");
    expect(spawn?.pid).toBe(0);
    const uname = events.find((e): e is ExecEvent => e.kind === "exec" && e.ret === 0 && e.argv[0] === "uname");
    expect(uname?.pid).toBe(spawn?.kind === "spawn" ? spawn.childPid : -1);
  });
});

describe("syntax forms", () => {
  const parse = (...lines: string[]): TraceEvent[] => parseAll(lines).events;

  test("[pid N] prefix with padding", () => {
    expect(parse('[pid  4242] openat(AT_FDCWD</w>, "a", O_RDONLY) = 3</w/a>')[0]).toMatchObject({ pid: 4242, path: "/w/a" });
  });

  test("interleaved unfinished/resumed pairs are matched per pid", () => {
    const events = parse(
      '10 openat(AT_FDCWD</w>, "/home/u/.ssh/id_rsa", O_RDONLY <unfinished ...>',
      '11 openat(AT_FDCWD</w>, "/etc/hostname", O_RDONLY <unfinished ...>',
      "10 <... openat resumed>) = 4</home/u/.ssh/id_rsa>",
      "11 <... openat resumed>) = -1 ENOENT (No such file or directory)",
    );
    expect(events.map((e) => [e.pid, "path" in e ? e.path : "", e.errno])).toEqual([
      [10, "/home/u/.ssh/id_rsa", undefined],
      [11, "/etc/hostname", "ENOENT"],
    ]);
    expect(events[0]?.raw).toContain("<unfinished ...>");
  });

  test("a resume without its start is a problem, not an exception", () => {
    const parser = new StraceParser();
    expect(parser.parse("12 <... openat resumed>) = 3</x>")).toBeUndefined();
    expect(parser.stats.problems).toBe(1);
  });

  test("exit, kill and ignored lines", () => {
    const parser = new StraceParser();
    expect(parser.parse("5 +++ killed by SIGKILL +++")).toMatchObject({ kind: "exit", pid: 5, status: "SIGKILL" });
    expect(parser.parse("5 +++ killed by SIGSEGV (core dumped) +++")).toMatchObject({ status: "SIGSEGV" });
    expect(parser.parse("6 +++ exited with 1 +++")).toMatchObject({ kind: "exit", status: 1 });
    expect(parser.parse("6 --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=7, si_uid=0, si_status=0} ---")).toBeUndefined();
    expect(parser.parse("strace: Process 123 attached")).toBeUndefined();
    expect(parser.parse("6 wait4(-1, NULL, 0, NULL) = 7")).toBeUndefined();
    expect(parser.stats.problems).toBe(0);
    expect(parser.stats.ignored).toBe(3);
  });

  test("return values: ?, hex, errno", () => {
    expect(parse("7 exit_group(0) = ?")).toEqual([]);
    expect(parse('7 execve("/bin/x", ["x"], 0x1 /* 1 var */) = ?')[0]).toMatchObject({ ret: undefined });
    expect(parse('7 readlink("/proc/self/exe", "/usr/bin/python3.11", 4096) = 0x12')[0]).toMatchObject({ ret: 18 });
    expect(parse('7 access("/etc/shadow", R_OK) = -1 EACCES (Permission denied)')[0]).toMatchObject({ ret: -1, errno: "EACCES" });
  });

  test("execve argv with elision and a truncated string", () => {
    const [exec] = parse('8 execve("/usr/bin/sh", ["sh", "-c", "curl http://x"..., ...], 0x7ffd /* 12 vars */) = 0');
    expect(exec).toMatchObject({ kind: "exec", path: "/usr/bin/sh", argv: ["sh", "-c", "curl http://x"] });
  });

  test("execveat resolves against its dirfd", () => {
    const [exec] = parse('8 execveat(3</usr/bin>, "curl", ["curl", "x"], 0x1 /* 3 vars */, 0) = 0');
    expect(exec).toMatchObject({ kind: "exec", path: "/usr/bin/curl", argv: ["curl", "x"] });
  });

  test("openat2 flags and creat", () => {
    expect(parse('9 openat2(AT_FDCWD</w>, "f", {flags=O_WRONLY|O_CREAT, mode=0644, resolve=0}, 24) = 3</w/f>')[0]).toMatchObject({ path: "/w/f", flags: ["O_WRONLY", "O_CREAT"] });
    expect(parse('9 creat("/w/g", 0644) = 3</w/g>')[0]).toMatchObject({ kind: "open", flags: ["O_WRONLY", "O_CREAT", "O_TRUNC"] });
  });

  test("rename, renameat2, link and mkdir carry both paths", () => {
    expect(parse('9 renameat2(AT_FDCWD</w>, "a", 4</home/u>, ".bashrc", RENAME_NOREPLACE) = 0')[0]).toMatchObject({ kind: "rename", path: "/w/a", target: "/home/u/.bashrc" });
    expect(parse('9 link("/w/a", "/w/b") = 0')[0]).toMatchObject({ kind: "link", path: "/w/a", target: "/w/b" });
    expect(parse('9 mkdirat(AT_FDCWD</home/u>, ".config/autostart", 0777) = 0')[0]).toMatchObject({ kind: "mkdir", path: "/home/u/.config/autostart" });
  });

  test("lexical normalisation of .. and // when there is no fd path", () => {
    expect(parse('9 newfstatat(AT_FDCWD</home/u/proj>, "../.ssh//id_rsa", 0x7ff, 0) = -1 ENOENT (No such file or directory)')[0]).toMatchObject({ path: "/home/u/.ssh/id_rsa" });
  });

  test("fstat of an open fd is not an event (its open was); a stat relative to a dirfd is", () => {
    const parser = new StraceParser();
    expect(parser.parse('9 newfstatat(3</etc/passwd>, "", {st_mode=S_IFREG|0644, ...}, AT_EMPTY_PATH) = 0')).toBeUndefined();
    expect(parser.parse('9 newfstatat(3<TCP:[1234]>, "", {st_mode=S_IFSOCK|0777, ...}, AT_EMPTY_PATH) = 0')).toBeUndefined();
    expect(parser.parse('9 newfstatat(1<UNIX-STREAM:[110814->110813]>, "", {st_mode=S_IFSOCK|0777, st_size=0, ...}, AT_EMPTY_PATH) = 0')).toBeUndefined();
    expect(parser.stats).toMatchObject({ ignored: 3, problems: 0 });
    expect(parse('9 newfstatat(3</etc>, "passwd", {st_mode=S_IFREG|0644, ...}, 0) = 0')[0]).toMatchObject({ kind: "stat", path: "/etc/passwd" });
    expect(parse('9 statx(AT_FDCWD</w>, "", AT_EMPTY_PATH, STATX_ALL, {stx_mask=STATX_ALL, ...}) = 0')[0]).toMatchObject({ kind: "stat", path: "/w" });
  });

  test("non-at calls resolve against the cwd tracked from AT_FDCWD, chdir and fchdir", () => {
    const events = parse(
      '20 openat(AT_FDCWD</home/u>, "x", O_RDONLY) = -1 ENOENT (No such file or directory)',
      '20 access(".aws/credentials", R_OK) = 0',
      '20 fchdir(3</home/u/.kube>) = 0',
      '20 stat("config", 0x7ff) = 0',
      '20 chdir("../.docker") = 0',
      '20 readlink("config.json", 0x7ff, 4096) = -1 EINVAL (Invalid argument)',
    );
    expect(files(events).map((e) => e.path)).toEqual([
      "/home/u/x", "/home/u/.aws/credentials", "/home/u/.kube", "/home/u/.kube/config", "/home/u/.docker", "/home/u/.docker/config.json",
    ]);
  });

  test("threads created with CLONE_FS share the cwd, forks copy it", () => {
    const events = parse(
      '30 chdir("/srv") = 0',
      "30 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_THREAD, exit_signal=0, stack=0x7f, stack_size=0x7fff80} => {parent_tid=[31]}, 88) = 31",
      "30 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|SIGCHLD, child_tidptr=0x7f) = 32",
      '31 chdir("/home/u/.ssh") = 0',
      '30 access("id_rsa", R_OK) = 0',
      '32 access("id_rsa", R_OK) = -1 ENOENT (No such file or directory)',
    );
    expect(events.filter((e) => e.kind === "spawn").map((e) => e.kind === "spawn" && e.childPid)).toEqual([31, 32]);
    expect(files(events).filter((e) => e.syscall === "access").map((e) => e.path)).toEqual(["/home/u/.ssh/id_rsa", "/srv/id_rsa"]);
  });

  test("sendto without an address and sendmsg with msg_name", () => {
    expect(parse('40 sendto(3<TCP:[1.2.3.4:5->6.7.8.9:443]>, "x", 1, 0, NULL, 0) = 1')).toEqual([]);
    const [msg] = parse('40 sendmsg(3<UDP:[9]>, {msg_name={sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("10.0.0.2")}, msg_namelen=16, msg_iov=[{iov_base="x", iov_len=1}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, 0) = 1');
    expect(msg).toMatchObject({ kind: "sendto", family: "inet", address: "10.0.0.2", port: 53 });
  });

  test("bind and netlink sockets", () => {
    expect(parse('41 bind(3<TCPv6:[9]>, {sa_family=AF_INET6, sin6_port=htons(0), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=0}, 28) = 0')[0]).toMatchObject({ kind: "bind", family: "inet6", address: "::1", port: 0 });
    expect(parse("41 bind(3<NETLINK:[9]>, {sa_family=AF_NETLINK, nl_pid=0, nl_groups=00000000}, 12) = 0")[0]).toMatchObject({ family: "netlink" });
  });

  test("hex-escaped strings from -x are decoded too", () => {
    expect(parse('42 openat(AT_FDCWD</w>, "\\x2f\\x65\\x74\\x63\\x2f\\xc3\\xa9", O_RDONLY) = -1 ENOENT (No such file or directory)')[0]).toMatchObject({ path: "/etc/\u00e9" });
  });

  test("deleted files lose the (deleted) suffix", () => {
    expect(parse('43 openat(3</tmp/d (deleted)>, "f", O_RDONLY) = -1 ENOENT (No such file or directory)')[0]).toMatchObject({ path: "/tmp/d/f" });
  });

  test("metadata and xattr calls, mknod and inotify watches", () => {
    expect(parse("50 utimensat(3</home/u/.bashrc>, NULL, NULL, 0) = 0")[0]).toMatchObject({ kind: "chmod", path: "/home/u/.bashrc" });
    expect(parse('50 utimensat(AT_FDCWD</home/u>, ".profile", [UTIME_NOW, UTIME_NOW], 0) = 0')[0]).toMatchObject({ kind: "chmod", path: "/home/u/.profile" });
    expect(parse('50 mknodat(AT_FDCWD</tmp>, "fifo", S_IFIFO|0600) = 0')[0]).toMatchObject({ kind: "write", path: "/tmp/fifo" });
    expect(parse('50 inotify_add_watch(3<anon_inode:inotify>, "/home/u/.ssh", IN_MODIFY) = 1')[0]).toMatchObject({ kind: "stat", path: "/home/u/.ssh" });
    expect(parse('50 getxattr("/home/u/.aws/credentials", "user.x", NULL, 0) = -1 ENODATA (No data available)')[0]).toMatchObject({ kind: "stat", path: "/home/u/.aws/credentials" });
  });

  test("an open keeps the requested path when the fd resolves elsewhere", () => {
    expect(parse('51 openat(AT_FDCWD</w>, "cfg", O_RDONLY) = 3</home/u/.kube/config>')[0]).toMatchObject({ path: "/home/u/.kube/config", requested: "/w/cfg" });
    expect(parse('51 openat(AT_FDCWD</w>, "/etc/hosts", O_RDONLY) = 3</etc/hosts>')[0]).toMatchObject({ path: "/etc/hosts", requested: undefined });
  });

  test("socket annotations with an arrow do not end early, and a path may end in '-'", () => {
    expect(parse('52 connect(3<TCP:[10.0.0.1:5->10.0.0.2:443]>, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("10.0.0.2")}, 16) = 0')[0]).toMatchObject({ address: "10.0.0.2", port: 443 });
    expect(parse('52 openat(3</tmp/odd->, "x", O_RDONLY) = -1 ENOENT (No such file or directory)')[0]).toMatchObject({ path: "/tmp/odd-/x" });
  });

  test("garbage never throws and is counted", () => {
    const parser = new StraceParser();
    const junk = ["", "hello", "123", "[pid", "[pid 12", "12 openat(", '12 openat(AT_FDCWD</w>, "unterminated', "12 openat(AT_FDCWD</w> = 3", "12 ) = 4", "12 +++ something +++", "12 <... resumed>", "\u0000\u0001"];
    for (const line of junk) expect(() => parser.parse(line)).not.toThrow();
    expect(parser.stats.problems).toBeGreaterThan(5);
    expect(parser.stats.events).toBe(0);
  });
});
