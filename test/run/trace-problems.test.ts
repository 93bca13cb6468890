/** Lines strace printed that the parser could not read are published and counted in the report, never dropped. */
import { describe, expect, test } from "bun:test";
import { compileRules } from "../../src/match/matcher.ts";
import { PhaseTrace } from "../../src/pipeline/phase-trace.ts";
import type { ScanPlan } from "../../src/run/plan.ts";
import { reportOf } from "../../src/run/report.ts";

function problemsOf(lines: readonly string[]): string[] {
  const problems: string[] = [];
  const trace = new PhaseTrace({
    phase: "install",
    matcher: compileRules([], { home: "/home/tester" }),
    cwd: "/work",
    onFinding: () => {},
    onTraceProblem: (line) => problems.push(line),
    graceSeconds: 2,
    supervisorArgv: ["python3"],
    steps: [],
    urlBuildPackage: undefined,
  });
  for (const line of lines) trace.line(line);
  trace.finish();
  return problems;
}

function plan(format: ScanPlan["report"]["format"]): ScanPlan {
  return {
    requirements: { requirements: [], index: { indexUrl: undefined, extraIndexUrls: [], findLinks: [], pre: false, onlyBinary: [] } },
    names: undefined,
    sandbox: {},
    static: undefined,
    audit: undefined,
    locks: { requirements: undefined, pylock: undefined },
    report: {
      format,
      quiet: false,
      cwd: "/",
      skipped: [],
      exemptions: () => ({ notImported: [], ignoredVulnerabilities: [], ignoredInThisRun: [], allowlisted: [], acceptedUploads: [], acceptedNames: [], coolDownDays: undefined, defaultCoolDownDays: 7, sources: [] }),
    },
    log: { warn: () => {}, debug: () => {} },
    exceptions: () => false,
    plugins: [],
  };
}

describe("trace problems", () => {
  test("an unreadable line reaches the phase's trace-problem callback; readable and ignored lines do not", () => {
    const unreadable = "[pid abc] openat(AT_FDCWD";
    expect(
      problemsOf([
        '1 openat(AT_FDCWD</work>, "/etc/hosts", O_RDONLY) = 3</etc/hosts>',
        "1 --- SIGCHLD {si_signo=SIGCHLD} ---",
        unreadable,
      ]),
    ).toEqual([unreadable]);
  });

  test("the report counts them: a line in text output, a field in JSON; nothing when there are none", () => {
    const run = { findings: [], installed: [], audit: undefined, exitCode: 0 as const, traceProblems: 2, dependencies: undefined, verdictFromCache: undefined };
    const renderReport = (scanPlan: ScanPlan, report: typeof run) => reportOf(scanPlan, report).output;
    expect(renderReport(plan("text"), run)).toContain("2 line(s) of the trace could not be read and were not matched against the rules; --log-level debug shows each.");
    expect((JSON.parse(renderReport(plan("json"), run)) as { traceProblems: number }).traceProblems).toBe(2);
    expect(renderReport(plan("text"), { ...run, traceProblems: 0 })).not.toContain("could not be read");
  });
});
