import { type Matcher, compileRules } from "../../src/match/matcher.ts";
import type { Finding } from "../../src/core/finding.ts";
import { loadBuiltinRulePacks } from "../../src/rules/builtin.ts";
import { dynamicRules } from "../../src/rules/loader.ts";
import type { DynamicRule } from "../../src/rules/types.ts";
import type { Phase } from "../../src/core/phase.ts";
import { StraceParser } from "../../src/trace/parser.ts";
import { ProcessTree } from "../../src/trace/process-tree.ts";

/** The decoy home used by the synthetic traces. */
export const HOME = "/home/tester";
/** The run's work dir and interpreter, as `$WORK` and `$PYTHON` (a pyenv interpreter in the home). */
export const ROOTS = { $WORK: ["/work"], $PYTHON: [`${HOME}/.pyenv/versions/3.11.7`] };
/** The scan's venv in the synthetic traces: `$WORK/venv`. */
export const VENV = "/work/venv";
export const PID = 100;

export interface Scenario {
  phase?: Phase;
  /** The package the traced root process is assigned to; undefined means pip's own process. */
  package?: string | undefined;
}

export function builtinRules(): DynamicRule[] {
  return dynamicRules(loadBuiltinRulePacks());
}

/** strace lines → parser → process tree (root assigned per scenario) → matcher → findings. */
export function scan(lines: readonly string[], scenario: Scenario = {}, matcher: Matcher = compileRules(builtinRules(), { home: HOME, roots: ROOTS })): Finding[] {
  const phase = scenario.phase ?? "import";
  const pkg = "package" in scenario ? scenario.package : "evilpkg";
  const parser = new StraceParser();
  const tree = new ProcessTree({ phase });
  tree.assign(PID, { phase, package: pkg });
  const findings: Finding[] = [];
  const sink = (ae: Parameters<Matcher["match"]>[0]): void => {
    findings.push(...matcher.match(ae));
  };
  const all = [`${PID} execve("/usr/bin/python3", ["python3", "-c", "import evilpkg"], 0x1 /* 3 vars */) = 0`, ...lines];
  for (const line of all) {
    const event = parser.parse(line);
    if (event) tree.feed(event, sink);
  }
  tree.flush(sink);
  return findings;
}

const home = (path: string): string => path.replace(/^~/, HOME);

/** An openat as strace -yy prints it; a successful open shows the resolved path. */
export function open(path: string, options: { flags?: string; resolved?: string; errno?: string } = {}): string {
  const p = home(path);
  const flags = options.flags ?? "O_RDONLY|O_CLOEXEC";
  const ret = options.errno ? `-1 ${options.errno} (No such file or directory)` : `3<${home(options.resolved ?? p)}>`;
  return `${PID} openat(AT_FDCWD</work>, "${p}", ${flags}) = ${ret}`;
}

export function stat(path: string, errno?: string): string {
  const ret = errno ? `-1 ${errno} (No such file or directory)` : "0";
  return `${PID} newfstatat(AT_FDCWD</work>, "${home(path)}", {st_mode=S_IFREG|0600, st_size=1, ...}, 0) = ${ret}`;
}

export function rename(from: string, to: string): string {
  return `${PID} rename("${home(from)}", "${home(to)}") = 0`;
}

export function mkdir(path: string): string {
  return `${PID} mkdir("${home(path)}", 0777) = 0`;
}

export function exec(path: string, argv: string[], ret = "0"): string {
  const quoted = argv.map((arg) => JSON.stringify(arg)).join(", ");
  return `${PID} execve("${path}", [${quoted}], 0x7ffd /* 3 vars */) = ${ret}`;
}

export function connect(address: string, port: number, syscall: "connect" | "sendto" = "connect"): string {
  const sockaddr = address.includes(":")
    ? `{sa_family=AF_INET6, sin6_port=htons(${port}), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "${address}", &sin6_addr), sin6_scope_id=0}`
    : `{sa_family=AF_INET, sin_port=htons(${port}), sin_addr=inet_addr("${address}")}`;
  return syscall === "connect"
    ? `${PID} connect(5<TCP:[1]>, ${sockaddr}, 16) = -1 ECONNREFUSED (Connection refused)`
    : `${PID} sendto(5<UDP:[1]>, "x", 1, 0, ${sockaddr}, 16) = 1`;
}

export function connectUnix(path: string): string {
  return `${PID} connect(5<UNIX-STREAM:[1]>, {sa_family=AF_UNIX, sun_path="${path}"}, 110) = -1 ENOENT (No such file or directory)`;
}

export function bind(address: string, port: number): string {
  return `${PID} bind(5<TCPv6:[1]>, {sa_family=AF_INET6, sin6_port=htons(${port}), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "${address}", &sin6_addr), sin6_scope_id=0}, 28) = 0`;
}

/** strace's line for a call the sandbox's seccomp filter trapped (`--- SIGSYS … ---`). */
export function denied(syscall: string, arch = "AUDIT_ARCH_X86_64"): string {
  const nr = /^\d/.test(syscall) ? syscall : `__NR_${syscall}`;
  return `${PID} --- SIGSYS {si_signo=SIGSYS, si_code=SYS_SECCOMP, si_call_addr=0x7f965aeb8829, si_syscall=${nr}, si_arch=${arch}} ---`;
}

/** A syscall that changes `path` (unlink, chmod, mkdir, …) as strace prints a plain one-path call. */
export function change(syscall: "unlink" | "chmod" | "truncate", path: string, ret = "0"): string {
  const extra = syscall === "chmod" ? ", 0755" : syscall === "truncate" ? ", 0" : "";
  return `${PID} ${syscall}("${home(path)}"${extra}) = ${ret}`;
}

/** symlink(text, name) or link(from, to). */
export function link(syscall: "symlink" | "link", first: string, second: string): string {
  return `${PID} ${syscall}("${home(first)}", "${home(second)}") = 0`;
}
