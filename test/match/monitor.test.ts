import { describe, expect, test } from "bun:test";
import { compileRules } from "../../src/match/matcher.ts";
import { TraceMonitor } from "../../src/match/monitor.ts";
import type { Finding } from "../../src/core/finding.ts";
import type { AttributedEvent } from "../../src/trace/events.ts";
import { fixtureLines } from "../trace/fixture.ts";
import { HOME, builtinRules } from "./pipeline.ts";

describe("TraceMonitor", () => {
  test("splits chunks anywhere, attributes through onExec and reports findings", () => {
    const findings: Finding[] = [];
    const events: AttributedEvent[] = [];
    const monitor = new TraceMonitor({
      phase: "fetch",
      rules: { rules: builtinRules(), home: HOME },
      onExec: (info, tree) => {
        if (info.argv.some((arg) => arg.endsWith("_in_process.py")) && info.cwd?.startsWith("/tmp/pip-download-")) {
          tree.assign(info.pid, { phase: "fetch", package: info.cwd.split("/").at(-1)?.split("_")[0] });
        }
      },
      onFinding: (finding) => findings.push(finding),
      onEvent: (event) => events.push(event),
    });
    const text = [
      '1  execve("/usr/bin/python3", ["python3", "-m", "pip", "download"], 0x1 /* 2 vars */) = 0',
      `1  openat(AT_FDCWD</w>, "${HOME}/.netrc", O_RDONLY|O_CLOEXEC) = 3<${HOME}/.netrc>`,
      "1  clone(child_stack=NULL, flags=SIGCHLD) = 2",
      '2  chdir("/tmp/pip-download-x1/evilpkg_0a1b") = 0',
      '2  execve("/usr/bin/python3", ["python3", "/pip/_in_process.py", "prepare_metadata_for_build_wheel"], 0x1 /* 2 vars */) = 0',
      `2  openat(AT_FDCWD</tmp/pip-download-x1/evilpkg_0a1b>, "${HOME}/.netrc", O_RDONLY|O_CLOEXEC) = 3<${HOME}/.netrc>`,
      "",
    ].join("\n");
    for (let i = 0; i < text.length; i += 7) monitor.write(text.slice(i, i + 7));
    monitor.end();
    expect(events.length).toBe(6);
    expect(findings.map((f) => [f.ruleId, f.package, f.phase])).toEqual([["netrc", "evilpkg", "fetch"]]);
    expect(monitor.parser.stats.problems).toBe(0);
  });

  test("a last line without newline is parsed at end(), and a shared matcher can be passed", () => {
    const findings: Finding[] = [];
    const monitor = new TraceMonitor({
      phase: "import",
      rules: compileRules(builtinRules(), { home: HOME }),
      onFinding: (finding) => findings.push(finding),
    });
    monitor.write(`5  execve("/usr/bin/python3", ["python3"], 0x1 /* 2 vars */) = 0\n5  access("/etc/shadow", R_OK) = -1 EACCES (Permission denied)`);
    expect(findings).toEqual([]);
    monitor.end();
    expect(findings.map((f) => f.ruleId)).toEqual(["shadow"]);
  });

  test("a real captured trace goes through without problems", () => {
    let seen = 0;
    const monitor = new TraceMonitor({ phase: "import", rules: { rules: builtinRules(), home: HOME }, onFinding: () => {}, onEvent: () => seen++ });
    monitor.write(`${fixtureLines("subprocess").join("\n")}\n`);
    monitor.end();
    expect(monitor.parser.stats.problems).toBe(0);
    expect(seen).toBe(monitor.parser.stats.events);
  });
});
