import { type Matcher, compileRules } from "../../src/match/matcher.ts";
import type { Finding } from "../../src/core/finding.ts";
import { CASE_HOME, CASE_PID, CASE_ROOTS, traceFindings } from "../../src/rule-cases/case-runner.ts";
import { loadRuleSet } from "../../src/rules/rule-set.ts";
import type { DynamicRule } from "../../src/rules/types.ts";
import type { Phase } from "../../src/core/phase.ts";

/** The decoy home, `$WORK` and `$PYTHON` of the synthetic traces: the same as in the rule cases. */
export const HOME = CASE_HOME;
export const ROOTS = CASE_ROOTS;
const PID = CASE_PID;

export interface Scenario {
  phase?: Phase;
  /** The package the traced root process is assigned to; undefined means pip's own process. */
  package?: string | undefined;
}

export function builtinRules(): DynamicRule[] {
  return loadRuleSet().dynamic;
}

/** strace lines → parser → process tree (root assigned per scenario) → matcher → findings. */
export function scan(lines: readonly string[], scenario: Scenario = {}, matcher: Matcher = compileRules(builtinRules(), { home: HOME, roots: ROOTS })): Finding[] {
  const pkg = "package" in scenario ? scenario.package : "evilpkg";
  return traceFindings(lines, { phase: scenario.phase ?? "import", package: pkg }, matcher).findings;
}

const home = (path: string): string => path.replace(/^~/, HOME);

/** An openat as strace -yy prints it; a successful open shows the resolved path. */
export function open(path: string, options: { flags?: string; resolved?: string; errno?: string } = {}): string {
  const p = home(path);
  const flags = options.flags ?? "O_RDONLY|O_CLOEXEC";
  const ret = options.errno ? `-1 ${options.errno} (No such file or directory)` : `3<${home(options.resolved ?? p)}>`;
  return `${PID} openat(AT_FDCWD</work>, "${p}", ${flags}) = ${ret}`;
}

export function rename(from: string, to: string): string {
  return `${PID} rename("${home(from)}", "${home(to)}") = 0`;
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

/** strace's line for a call the sandbox's seccomp filter trapped (`--- SIGSYS … ---`). */
export function denied(syscall: string, arch = "AUDIT_ARCH_X86_64"): string {
  const nr = /^\d/.test(syscall) ? syscall : `__NR_${syscall}`;
  return `${PID} --- SIGSYS {si_signo=SIGSYS, si_code=SYS_SECCOMP, si_call_addr=0x7f965aeb8829, si_syscall=${nr}, si_arch=${arch}} ---`;
}
