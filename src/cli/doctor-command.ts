/**
 * `pipcanary doctor`: every check a scan depends on, one line each, with the fix for each failure.
 * Exit 0 when a scan can run here, else the precondition exit code.
 */
import { ExitCode, type ExitCodeValue } from "../core/exit-codes.ts";
import {
  CHECK_TITLES,
  type CheckId,
  type CheckResult,
  type CheckStatus,
  type Tools,
  checkBwrapVersion,
  checkContainer,
  checkFreshProc,
  checkIndex,
  checkPtrace,
  checkPython,
  checkStraceOptions,
  checkTools,
  checkTracedSandbox,
  checkUserNamespaces,
  checkWritable,
} from "../doctor/checks.ts";
import { readHostFacts } from "../doctor/host-facts.ts";
import type { ResolvedOptions } from "./options.ts";

export interface DoctorReport {
  /** True when nothing failed: a scan can run on this machine. */
  ok: boolean;
  checks: CheckResult[];
}

/** Checks that cannot run without bwrap and strace. */
const NEEDS_TOOLS: readonly CheckId[] = ["bwrap-version", "strace-options", "userns", "proc", "ptrace", "seccomp"];

export async function runDoctorChecks(options: Pick<ResolvedOptions, "cacheDir" | "temporaryDirectory" | "indexUrl">): Promise<DoctorReport> {
  const facts = readHostFacts();
  const { result: tools, tools: found } = checkTools();
  const checks: CheckResult[] = [tools, checkContainer(facts)];
  let sandbox: Tools | undefined;
  if (found) {
    const userns = checkUserNamespaces(found, facts);
    // Without user namespaces no /proc can be mounted either: the same failure, said once.
    const proc = userns.status === "fail" ? { id: "proc" as const, title: CHECK_TITLES.proc, status: "skipped" as const, detail: "needs user namespaces" } : checkFreshProc(found, facts);
    const basics = [checkBwrapVersion(found), checkStraceOptions(found), userns, proc, checkPtrace(found, facts)];
    checks.push(...basics);
    // The traced runs below fail for the same reason as a failed basic check: said once is enough.
    sandbox = basics.some((check) => check.status === "fail") ? undefined : found;
    checks.push(sandbox ? await checkTracedSandbox(sandbox, facts, options.temporaryDirectory) : { id: "seccomp", title: CHECK_TITLES.seccomp, status: "skipped", detail: "needs a working sandbox (see above)" });
  } else {
    checks.push(...NEEDS_TOOLS.map((id): CheckResult => ({ id, title: CHECK_TITLES[id], status: "skipped", detail: "needs bwrap and strace" })));
  }
  checks.push(
    await checkPython(sandbox, facts, options.temporaryDirectory),
    checkWritable("cache", options.cacheDir, "--cache-dir"),
    checkWritable("temporary", options.temporaryDirectory, "--temporary-directory"),
  );
  if (options.indexUrl !== undefined) checks.push(await checkIndex(options.indexUrl));
  return { ok: checks.every((check) => check.status !== "fail"), checks };
}

const MARKS: Record<CheckStatus, string> = { ok: "✔", fail: "✘", warn: "!", info: "i", skipped: "-" };

export function renderDoctorText(report: DoctorReport): string {
  const lines: string[] = [];
  for (const check of report.checks) {
    lines.push(`${MARKS[check.status]} ${check.title}: ${check.detail}`);
    if (check.fix && (check.status === "fail" || check.status === "warn")) lines.push(`    fix: ${check.fix}`);
  }
  const failed = report.checks.filter((check) => check.status === "fail").length;
  lines.push("", report.ok ? "A scan can run on this machine." : `A scan cannot run on this machine: ${failed} check${failed === 1 ? "" : "s"} failed.`);
  return `${lines.join("\n")}\n`;
}

export function doctorExitCode(report: DoctorReport): ExitCodeValue {
  return report.ok ? ExitCode.Safe : ExitCode.MissingPrecondition;
}
