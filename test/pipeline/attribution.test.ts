import { describe, expect, test } from "bun:test";
import { compileRules } from "../../src/match/matcher.ts";
import type { StepToken } from "../../src/pipeline/attribution.ts";
import { startupBlame } from "../../src/pipeline/import-phase.ts";
import type { VenvDistribution } from "../../src/pipeline/installed.ts";
import { PhaseTrace } from "../../src/pipeline/phase-trace.ts";
import type { Finding } from "../../src/core/finding.ts";
import { builtinRules } from "../match/pipeline.ts";

const HOME = "/home/tester";
const SUPERVISOR = ["python3", "-I", "-S", "/lib/supervisor.py", "/lib/plan.json"];
const PYTHON = "/work/venv/bin/python";
const TOKENS = new Map<string, StepToken>([
  ["/tmp/.start-a", { kind: "start", package: "pkg-a" }],
  ["/tmp/.done-a", { kind: "done", package: "pkg-a" }],
  ["/tmp/.budget-a", { kind: "budget", package: "pkg-a" }],
  ["/tmp/.failed-a0", { kind: "failed", package: "pkg-a", detail: "pkg_a.extra" }],
  ["/tmp/.start-b", { kind: "start", package: "pkg-b" }],
  ["/tmp/.done-b", { kind: "done", package: "pkg-b" }],
]);

/** The import phase's trace: supervisor (pid 1), the exercise step (pid 2), then the given lines. */
function trace(lines: readonly string[], startup: string | undefined = undefined): Finding[] {
  const phaseTrace = new PhaseTrace({
    phase: "import",
    matcher: compileRules(builtinRules(), { home: HOME, roots: { $WORK: ["/work"] } }),
    cwd: "/work",
    onFinding: () => {},
    graceSeconds: 2,
    supervisorArgv: SUPERVISOR,
    steps: [{ argv: [PYTHON], package: startup, tokens: TOKENS }],
    urlBuildPackage: undefined,
  });
  for (const line of [
    `1 execve("/usr/bin/python3", ${JSON.stringify(SUPERVISOR).replaceAll(",", ", ")}, 0x1 /* 2 vars */) = 0`,
    "1 clone(child_stack=NULL, flags=SIGCHLD) = 2",
    `2 execve("${PYTHON}", ["${PYTHON}"], 0x1 /* 2 vars */) = 0`,
    ...lines,
  ]) phaseTrace.line(line);
  phaseTrace.finish();
  return phaseTrace.findings;
}

const touch = (pid: number, path: string) => `${pid} newfstatat(AT_FDCWD</work>, "${path}", 0x7ffd, 0) = -1 ENOENT (No such file or directory)`;
const steal = (pid: number) => `${pid} openat(AT_FDCWD</work>, "${HOME}/.ssh/id_rsa", O_RDONLY|O_CLOEXEC) = 3<${HOME}/.ssh/id_rsa>`;
const fork = (parent: number, child: number) => `${parent} clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD) = ${child}`;
const blame = (findings: Finding[]) => findings.map(({ ruleId, package: name }) => ({ ruleId, package: name }));

describe("exercise workers are blamed on their distribution", () => {
  test("from their start token on; start-up before it on the .pth owners", () => {
    expect(blame(trace([steal(2)], "pkg-pth"))).toEqual([{ ruleId: "ssh", package: "pkg-pth" }]);
    expect(blame(trace([fork(2, 3), touch(3, "/tmp/.start-b"), steal(3)], "pkg-pth"))).toEqual([{ ruleId: "ssh", package: "pkg-b" }]);
    // Without executable .pth files start-up is nobody's, and credential rules still apply.
    expect(blame(trace([steal(2)]))).toEqual([{ ruleId: "ssh", package: undefined }]);
  });

  test("a start token counts once, for a direct child of the step only", () => {
    // The step process itself (where start-up code runs) cannot take a distribution's name.
    expect(blame(trace([touch(2, "/tmp/.start-b"), steal(2)], "pkg-pth"))).toEqual([{ ruleId: "ssh", package: "pkg-pth" }]);
    // Nor can a worker's child, or a second worker reusing a token, or a worker touching a second one.
    expect(blame(trace([fork(2, 3), touch(3, "/tmp/.start-a"), fork(3, 4), touch(4, "/tmp/.start-b"), steal(4)], "pkg-pth"))).toEqual([{ ruleId: "ssh", package: "pkg-a" }]);
    expect(blame(trace([fork(2, 3), touch(3, "/tmp/.start-a"), fork(2, 4), touch(4, "/tmp/.start-a"), steal(4)], "pkg-pth"))).toEqual([{ ruleId: "ssh", package: "pkg-pth" }]);
    expect(blame(trace([fork(2, 3), touch(3, "/tmp/.start-a"), touch(3, "/tmp/.start-b"), steal(3)], "pkg-pth"))).toEqual([{ ruleId: "ssh", package: "pkg-a" }]);
  });

  test("re-executing the step process does not change its blame", () => {
    const reexec = `2 execve("/bin/sh", ["sh", "-c", "cat ~/.ssh/id_rsa"], 0x1 /* 2 vars */) = 0`;
    expect(blame(trace([reexec, steal(2)], "pkg-pth"))).toContainEqual({ ruleId: "ssh", package: "pkg-pth" });
  });

  test("budget, failed imports and an early end are noted, for the worker's own distribution only", () => {
    const notes = trace([
      fork(2, 3),
      touch(3, "/tmp/.start-a"),
      touch(3, "/tmp/.failed-a0"),
      touch(3, "/tmp/.budget-a"),
      touch(3, "/tmp/.done-b"),
      "3 exit_group(0) = ?",
      "3 +++ exited with 0 +++",
      fork(2, 4),
      touch(4, "/tmp/.start-b"),
      touch(4, "/tmp/.budget-a"),
      touch(4, "/tmp/.done-b"),
      "4 exit_group(0) = ?",
      "4 +++ exited with 0 +++",
    ]);
    expect(notes.map(({ ruleId, package: name, severity }) => ({ ruleId, package: name, severity }))).toEqual([
      { ruleId: "exercise-budget", package: "pkg-a", severity: "warn" },
      { ruleId: "exercise-incomplete", package: "pkg-a", severity: "warn" },
      { ruleId: "import-failed", package: "pkg-a", severity: "info" },
    ]);
    expect(notes.at(-1)?.explanation).toContain("pkg_a.extra");
  });
});

describe("start-up blame", () => {
  const dist = (name: string, executablePth: boolean): VenvDistribution => ({
    name, displayName: name, version: "1", pthFiles: [], executablePth, requires: [], modules: [], entryPoints: [], scripts: [],
  });

  test("the owners of executable .pth files, or nobody", () => {
    expect(startupBlame([dist("b", true), dist("c", false), dist("a", true)])).toBe("a or b");
    expect(startupBlame([dist("c", false)])).toBeUndefined();
  });
});
