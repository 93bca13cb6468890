/**
 * The sandbox-integrity plugin's rules (artifact-tampering, lingering-process): detected by the
 * phase trace, defined once by the plugin, listed by `pipcanary rules`, and excepted by a pack.
 */
import { describe, expect, test } from "bun:test";
import type { Finding } from "../../src/core/finding.ts";
import { ruleDescriptors } from "../../src/cli/rules-command.ts";
import { compileRules } from "../../src/match/matcher.ts";
import { PhaseTrace } from "../../src/pipeline/phase-trace.ts";
import type { StepToken } from "../../src/pipeline/attribution.ts";
import { sandboxIntegrityPlugin } from "../../src/plugins/builtin/sandbox-integrity.ts";
import { exceptionFilter } from "../../src/plugins/exceptions.ts";
import { parseRulePack } from "../../src/rules/loader.ts";

const SUPERVISOR = ["python3", "-I", "-S", "/lib/supervisor.py", "/lib/plan.json"];
const PYTHON = "/work/venv/bin/python";
const ARTIFACTS = "/work/artifacts";
const TOKENS = new Map<string, StepToken>([
  ["/tmp/.start-a", { kind: "start", package: "pkg-a" }],
  ["/tmp/.start-b", { kind: "start", package: "pkg-b" }],
]);

/**
 * A worker of pkg-a or pkg-b (pid 3) that writes into the downloaded artifacts ("tamper"), or is
 * still alive when the supervisor exits ("linger").
 */
function trace(worker: "a" | "b", act: "tamper" | "linger", excepted?: (finding: Finding) => boolean): Finding[] {
  const phaseTrace = new PhaseTrace({
    phase: "import",
    matcher: compileRules([], { home: "/home/tester" }),
    cwd: "/work",
    onFinding: () => {},
    excepted,
    graceSeconds: 2,
    supervisorArgv: SUPERVISOR,
    steps: [{ argv: [PYTHON], package: undefined, tokens: TOKENS }],
    urlBuildPackage: undefined,
    protectedDirs: [ARTIFACTS],
  });
  for (const line of [
    `1 execve("/usr/bin/python3", ${JSON.stringify(SUPERVISOR).replaceAll(",", ", ")}, 0x1 /* 2 vars */) = 0`,
    "1 clone(child_stack=NULL, flags=SIGCHLD) = 2",
    `2 execve("${PYTHON}", ["${PYTHON}"], 0x1 /* 2 vars */) = 0`,
    "2 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD) = 3",
    `3 newfstatat(AT_FDCWD</work>, "/tmp/.start-${worker}", 0x7ffd, 0) = -1 ENOENT (No such file or directory)`,
    ...(act === "tamper"
      ? [`3 openat(AT_FDCWD</work>, "${ARTIFACTS}/demo-1.0-py3-none-any.whl", O_WRONLY|O_TRUNC) = 4<${ARTIFACTS}/demo-1.0-py3-none-any.whl>`]
      : ["1 exit_group(0) = ?", "1 +++ exited with 0 +++"]),
  ]) phaseTrace.line(line);
  phaseTrace.finish();
  return phaseTrace.findings;
}

function pack(...exceptions: string[]) {
  return parseRulePack("org.yaml", ["pack: org", "api: ^1.0.0", "rules: []", "exceptions:", ...exceptions, ""].join("\n"));
}

const EXCEPT_PKG_A = exceptionFilter([
  pack("  - rule: artifact-tampering", "    packages: [pkg-a]", "    reason: its tests rewrite their own wheel", "  - rule: lingering-process", "    packages: [pkg-a]", "    reason: a documented daemon"),
]);

describe("sandbox integrity rules", () => {
  test("the trace's findings carry the plugin's rule definitions", () => {
    const [tampering] = trace("a", "tamper");
    const [lingering] = trace("a", "linger");
    const [tamperingRule, lingeringRule] = sandboxIntegrityPlugin.rules;
    expect(tampering).toMatchObject({ ruleId: "artifact-tampering", package: "pkg-a", severity: tamperingRule?.severity, description: tamperingRule?.description, explanation: tamperingRule?.explanation });
    expect(tampering?.subject).toEqual({ kind: "access", path: `${ARTIFACTS}/demo-1.0-py3-none-any.whl` });
    expect(lingering).toMatchObject({ ruleId: "lingering-process", package: "pkg-a", severity: lingeringRule?.severity, description: lingeringRule?.description });
    expect(lingering?.explanation).toStartWith("It was still alive 2 s after the import phase's commands returned");
  });

  test("pipcanary rules lists both, from plugin builtin:sandbox-integrity", () => {
    const listed = ruleDescriptors([]).filter((rule) => rule.plugin === "builtin:sandbox-integrity");
    expect(listed.map(({ id, type, severity, from }) => ({ id, type, severity, from }))).toEqual([
      { id: "artifact-tampering", type: "plugin", severity: "block", from: "plugin builtin:sandbox-integrity" },
      { id: "lingering-process", type: "plugin", severity: "warn", from: "plugin builtin:sandbox-integrity" },
    ]);
  });

  test("positive: a pack's exceptions drop both findings for the package they name", () => {
    expect(trace("a", "tamper", EXCEPT_PKG_A)).toEqual([]);
    expect(trace("a", "linger", EXCEPT_PKG_A)).toEqual([]);
  });

  test("negative: another package's findings stay", () => {
    const blame = (findings: Finding[]) => findings.map(({ ruleId, package: name }) => ({ ruleId, name }));
    expect(blame(trace("b", "tamper", EXCEPT_PKG_A))).toEqual([{ ruleId: "artifact-tampering", name: "pkg-b" }]);
    expect(blame(trace("b", "linger", EXCEPT_PKG_A))).toEqual([{ ruleId: "lingering-process", name: "pkg-b" }]);
  });
});
