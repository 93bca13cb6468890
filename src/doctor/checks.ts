/**
 * The checks of `pipcanary doctor`, one small function each. Where it is cheap a check does the
 * real thing (a bwrap run like the sandbox's, a traced run with the seccomp filter) rather than
 * predicting from settings, and a failure is explained by the same diagnosis a failed scan uses.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PipcanaryError, errorMessage } from "../core/errors.ts";
import { bwrapArgs, type Mount, supportsDisableUserns } from "../sandbox/bwrap.ts";
import { type HostPython, detectHostPython, requireSandboxTools } from "../sandbox/host-python.ts";
import { hostSeccompArch } from "../sandbox/seccomp.ts";
import { TracedRun } from "../sandbox/traced-run.ts";
import { STRACE_ARGS } from "../trace/parser.ts";
import { causeOf, diagnoseSandboxOutput, diagnosisOf } from "./diagnosis.ts";
import type { HostFacts } from "./host-facts.ts";

/** ok and fail decide the exit code; warn is shown with its fix but does not stop a scan; info only reports. */
export type CheckStatus = "ok" | "fail" | "warn" | "info" | "skipped";

export interface CheckResult {
  id: CheckId;
  title: string;
  status: CheckStatus;
  detail: string;
  /** For fail and warn: the exact change that makes the check pass. */
  fix?: string;
}

export const CHECK_TITLES = {
  tools: "bwrap and strace installed",
  container: "container",
  "bwrap-version": "bwrap knows --disable-userns (0.8.0 or later)",
  "strace-options": "strace accepts the scan's options",
  userns: "unprivileged user namespaces allowed",
  proc: "a fresh /proc mountable in a new PID namespace",
  ptrace: "ptrace of a child allowed",
  seccomp: "the sandbox's seccomp filter loads under strace",
  python: "python3 with pip usable in the sandbox",
  cache: "cache directory writable",
  temporary: "temporary directory writable",
  index: "package index reachable",
} as const;

export type CheckId = keyof typeof CHECK_TITLES;

export interface Tools {
  bwrap: string;
  strace: string;
}

const INSTALL_TOOLS = "apt-get install -y bubblewrap strace (Alpine: apk add bubblewrap strace; Fedora: dnf install bubblewrap strace)";
const PROBE_TIMEOUT_MS = 20_000;

function run(argv: string[]): { code: number; output: string } {
  const child = Bun.spawnSync(argv, { stdout: "pipe", stderr: "pipe", stdin: "ignore" });
  return { code: child.exitCode ?? -1, output: `${child.stdout.toString()}${child.stderr.toString()}`.trim() };
}

function lastLine(text: string): string {
  return text.split("\n").filter(Boolean).at(-1) ?? "";
}

export function checkTools(): { result: CheckResult; tools: Tools | undefined } {
  try {
    const tools = requireSandboxTools();
    const versions = `${lastLine(run([tools.bwrap, "--version"]).output)}, ${run([tools.strace, "-V"]).output.split("\n")[0] ?? ""}`;
    return { result: { id: "tools", title: CHECK_TITLES.tools, status: "ok", detail: `${tools.bwrap}, ${tools.strace} (${versions})` }, tools };
  } catch (error) {
    return { result: { id: "tools", title: CHECK_TITLES.tools, status: "fail", detail: errorMessage(error), fix: INSTALL_TOOLS }, tools: undefined };
  }
}

/** bwrap 0.8.0 added --disable-userns; without it only the seccomp filter stops nested user namespaces. */
export function checkBwrapVersion(tools: Tools): CheckResult {
  const title = CHECK_TITLES["bwrap-version"];
  if (supportsDisableUserns(tools.bwrap)) return { id: "bwrap-version", title, status: "ok", detail: lastLine(run([tools.bwrap, "--version"]).output) };
  return {
    id: "bwrap-version",
    title,
    status: "warn",
    detail: `${lastLine(run([tools.bwrap, "--version"]).output)}: nested user namespaces are stopped by the seccomp filter alone`,
    fix: "install bubblewrap 0.8.0 or later (Debian 12, Ubuntu 23.04 and later ship it)",
  };
}

/** strace must accept every option the scan passes it (--seccomp-bpf, --decode-pids=pidns, …). */
export function checkStraceOptions(tools: Tools): CheckResult {
  const title = CHECK_TITLES["strace-options"];
  const probe = run([tools.strace, ...STRACE_ARGS, "-o", "/dev/null", "/bin/true"]);
  if (probe.code === 0) return { id: "strace-options", title, status: "ok", detail: STRACE_ARGS.filter((arg) => arg.startsWith("--")).join(" ") };
  if (causeOf(probe.output) === "ptrace-denied") return { id: "strace-options", title, status: "skipped", detail: "strace cannot trace here (see the ptrace check)" };
  return { id: "strace-options", title, status: "fail", detail: lastLine(probe.output), fix: "install strace 6.0 or later (it must know --seccomp-bpf and --decode-pids=pidns)" };
}

export function checkContainer(facts: HostFacts): CheckResult {
  const container = facts.container;
  return {
    id: "container",
    title: CHECK_TITLES.container,
    status: "info",
    detail: container ? `inside a ${container.kind} container (${container.evidence})` : "not inside a container, as far as can be told",
  };
}

function sysctlSummary(facts: HostFacts): string {
  const shown = [
    ["kernel.unprivileged_userns_clone", facts.unprivilegedUsernsClone],
    ["user.max_user_namespaces", facts.maxUserNamespaces],
    ["kernel.apparmor_restrict_unprivileged_userns", facts.apparmorRestrictUserns],
  ] as const;
  return shown.filter(([, value]) => value !== undefined).map(([name, value]) => `${name} = ${value}`).join(", ") || "no user-namespace sysctls";
}

function failureOf(id: CheckId, title: string, output: string, facts: HostFacts, fallbackFix: string): CheckResult {
  const diagnosis = diagnoseSandboxOutput(output, facts);
  return { id, title, status: "fail", detail: diagnosis ? `${lastLine(output)}: ${diagnosis.what}` : lastLine(output) || "failed without a message", fix: diagnosis?.fix ?? fallbackFix };
}

export function checkUserNamespaces(tools: Tools, facts: HostFacts): CheckResult {
  const title = CHECK_TITLES["userns"];
  const probe = run([tools.bwrap, "--unshare-user", "--ro-bind", "/", "/", "/bin/true"]);
  if (probe.code === 0) return { id: "userns", title, status: "ok", detail: sysctlSummary(facts) };
  return failureOf("userns", title, probe.output, facts, "allow unprivileged user namespaces (see the README's \"Running in containers and CI\")");
}

/** The sandbox's own view (bwrapArgs): every namespace, a fresh /proc and /dev, a tmpfs /tmp. */
export function checkFreshProc(tools: Tools, facts: HostFacts): CheckResult {
  const title = CHECK_TITLES["proc"];
  const probe = run([tools.bwrap, ...bwrapArgs({ mounts: [], env: {}, cwd: "/", command: ["/bin/true"] })]);
  if (probe.code === 0) return { id: "proc", title, status: "ok", detail: "bwrap --unshare-all --proc /proc ran" };
  return failureOf("proc", title, probe.output, facts, "give pipcanary a /proc it may remount (see the README's \"Running in containers and CI\")");
}

export function checkPtrace(tools: Tools, facts: HostFacts): CheckResult {
  const title = CHECK_TITLES["ptrace"];
  const probe = run([tools.strace, "-f", "-qq", "-o", "/dev/null", "/bin/true"]);
  const scope = facts.yamaPtraceScope === undefined ? "no Yama" : `kernel.yama.ptrace_scope = ${facts.yamaPtraceScope}`;
  if (probe.code === 0) return { id: "ptrace", title, status: "ok", detail: `strace -f true ran (${scope})` };
  return { id: "ptrace", title, status: "fail", detail: `${lastLine(probe.output)} (${scope})`, fix: diagnosisOf("ptrace-denied", facts).fix };
}

/** One command in the real traced sandbox: strace with the scan's options, bwrap, the seccomp filter. */
async function tracedProbe(tools: Tools, controlParent: string, command: string[], mounts: Mount[]): Promise<{ code: number | undefined; output: string }> {
  const controlDir = mkdtempSync(join(controlParent, "pipcanary-doctor-"));
  try {
    const traced = new TracedRun({
      ...tools,
      straceArgs: STRACE_ARGS,
      sandbox: { mounts, env: { PATH: "/usr/bin:/bin" }, cwd: "/", command },
      controlDir,
      timeoutMs: PROBE_TIMEOUT_MS,
      onLine: () => undefined,
    });
    const result = await traced.done;
    return { code: result.timedOut ? undefined : result.exitCode, output: result.outputTail };
  } finally {
    rmSync(controlDir, { recursive: true, force: true });
  }
}

export async function checkTracedSandbox(tools: Tools, facts: HostFacts, temporaryDirectory: string): Promise<CheckResult> {
  const title = CHECK_TITLES["seccomp"];
  const arch = hostSeccompArch();
  if (arch === undefined) return { id: "seccomp", title, status: "fail", detail: `no filter for ${process.arch}`, fix: "run pipcanary on an x86_64 or aarch64 Linux machine" };
  try {
    const probe = await tracedProbe(tools, temporaryDirectory, ["/bin/true"], []);
    if (probe.code === 0) return { id: "seccomp", title, status: "ok", detail: `${arch} filter, traced run of true exited 0` };
    return failureOf("seccomp", title, probe.output, facts, "the seccomp filter could not be loaded: check that the container's seccomp profile allows seccomp() and prctl(PR_SET_SECCOMP)");
  } catch (error) {
    return { id: "seccomp", title, status: "fail", detail: errorMessage(error), fix: "check that --temporary-directory is writable and supports FIFOs" };
  }
}

export async function checkPython(tools: Tools | undefined, facts: HostFacts, temporaryDirectory: string): Promise<CheckResult> {
  const title = CHECK_TITLES["python"];
  let python: HostPython;
  try {
    python = detectHostPython();
  } catch (error) {
    return { id: "python", title, status: "fail", detail: errorMessage(error), fix: (error instanceof PipcanaryError ? error.hint : undefined) ?? "install python3 with pip" };
  }
  const detail = `${python.executable} ${python.fullVersion}, pip ${python.pipVersion}`;
  if (tools === undefined) return { id: "python", title, status: "skipped", detail: `${detail}; not tried in the sandbox, which does not work yet` };
  try {
    const mounts: Mount[] = python.bindRoots.map((root) => ({ kind: "ro-bind", source: root, dest: root }));
    const probe = await tracedProbe(tools, temporaryDirectory, [python.executable, "-I", "-c", "import pip"], mounts);
    if (probe.code === 0) return { id: "python", title, status: "ok", detail };
    return failureOf("python", title, probe.output, facts, "a Python installed under /usr (apt-get install -y python3 python3-pip python3-venv) or in a directory the sandbox can bind");
  } catch (error) {
    return { id: "python", title, status: "fail", detail: errorMessage(error), fix: "check that --temporary-directory is writable and supports FIFOs" };
  }
}

/** Creates the directory if needed and writes and removes a file in it. */
export function checkWritable(id: "cache" | "temporary", dir: string, option: string): CheckResult {
  const title = CHECK_TITLES[id];
  try {
    mkdirSync(dir, { recursive: true });
    const probe = join(dir, `.pipcanary-doctor-${process.pid}`);
    writeFileSync(probe, "");
    rmSync(probe);
    return { id, title, status: "ok", detail: dir };
  } catch (error) {
    return { id, title, status: "fail", detail: errorMessage(error), fix: `make ${dir} writable for this user, or choose another directory with ${option}` };
  }
}

export async function checkIndex(indexUrl: string): Promise<CheckResult> {
  const title = CHECK_TITLES["index"];
  try {
    const response = await fetch(indexUrl, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS), headers: { Accept: "application/vnd.pypi.simple.v1+json, text/html;q=0.1" } });
    if (response.ok) return { id: "index", title, status: "ok", detail: `${indexUrl} answered ${response.status}` };
    return { id: "index", title, status: "fail", detail: `${indexUrl} answered ${response.status} ${response.statusText}`, fix: "check --index-url (a PEP 503/691 simple index root) and its credentials" };
  } catch (error) {
    return { id: "index", title, status: "fail", detail: `${indexUrl}: ${errorMessage(error)}`, fix: "check --index-url, the network and HTTPS_PROXY, or scan with --offline and a warm cache" };
  }
}
