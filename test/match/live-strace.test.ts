import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TraceMonitor } from "../../src/match/monitor.ts";
import type { Finding } from "../../src/core/finding.ts";
import { STRACE_ARGS } from "../../src/trace/parser.ts";
import { builtinRules } from "./pipeline.ts";

/**
 * The parser and rules against real strace output of small, harmless Python scripts: they read
 * canary files in a throw-away home and connect only to 127.0.0.9 where nothing listens.
 */
const strace = Bun.which("strace");
const python = (() => {
  const found = Bun.which("python3");
  if (!found) return undefined;
  const result = Bun.spawnSync([found, "-c", "import sys; print(sys.executable)"], { stdout: "pipe", stderr: "ignore" });
  return result.exitCode === 0 ? result.stdout.toString().trim() : undefined;
})();
const available = strace !== null && python !== undefined;

const root = mkdtempSync(join(tmpdir(), "pipcanary-live-"));
const home = join(root, "home");
const work = join(root, "work");
mkdirSync(join(home, ".ssh"), { recursive: true });
mkdirSync(work);
writeFileSync(join(home, ".ssh", "id_rsa"), "canary\n");
writeFileSync(join(home, ".bashrc"), "# canary\n");
symlinkSync(join(home, ".ssh", "id_rsa"), join(work, "innocent.txt"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function traceFindings(script: string): Finding[] {
  const output = join(root, `trace-${Math.random().toString(36).slice(2)}.txt`);
  const run = Bun.spawnSync([strace ?? "strace", ...STRACE_ARGS, "-o", output, python ?? "python3", "-c", script], {
    cwd: work,
    env: { HOME: home, PATH: "/usr/bin:/bin" },
    stdout: "ignore",
    stderr: "ignore",
  });
  expect(run.exitCode).toBe(0);
  const findings: Finding[] = [];
  let first = true;
  const monitor = new TraceMonitor({
    phase: "import",
    rules: { rules: builtinRules(), home },
    onFinding: (finding) => findings.push(finding),
    onEvent: () => {},
  });
  for (const line of readFileSync(output, "utf8").split("\n")) {
    if (first && line !== "") {
      monitor.tree.assign(Number.parseInt(line, 10), { phase: "import", package: "evilpkg" });
      first = false;
    }
    monitor.line(line);
  }
  monitor.end();
  expect(monitor.parser.stats.problems).toBe(0);
  return findings;
}

const hits = (findings: Finding[], ruleId: string): Finding[] => findings.filter((f) => f.ruleId === ruleId);

describe.skipIf(!available)("real strace output", () => {
  test("a plain interpreter start-up and harmless work raise nothing", () => {
    const findings = traceFindings("import os, json, platform, tempfile, subprocess; platform.platform(); open('/etc/os-release').read(); os.makedirs(os.path.expanduser('~/.cache/benign'), exist_ok=True); open(os.path.expanduser('~/.cache/benign/x'), 'w').write('1'); subprocess.run(['uname', '-a'], stdout=subprocess.DEVNULL)");
    expect(findings).toEqual([]);
  });

  test("a key read through a symlink is seen as the key", () => {
    const findings = hits(traceFindings("open('innocent.txt').read()"), "ssh");
    expect(findings[0]).toMatchObject({ package: "evilpkg", phase: "import", subject: { kind: "access", path: join(home, ".ssh", "id_rsa") } });
  });

  test("a relative path after chdir and a dirfd-relative open are seen", () => {
    const relative = hits(traceFindings("import os; os.chdir(os.path.expanduser('~')); open('.ssh/id_rsa').read()"), "ssh");
    expect(relative.length).toBeGreaterThan(0);
    const dirfd = hits(traceFindings("import os; d = os.open(os.path.expanduser('~/.ssh'), os.O_RDONLY); os.close(os.open('id_rsa', os.O_RDONLY, dir_fd=d))"), "ssh");
    expect(dirfd.some((f) => f.subject.kind === "access" && f.subject.path === join(home, ".ssh", "id_rsa"))).toBe(true);
  });

  test("probing a key that does not exist is seen", () => {
    const findings = hits(traceFindings("import os; os.path.exists(os.path.expanduser('~/.ssh/id_ed25519'))"), "ssh");
    expect(findings[0]?.subject).toEqual({ kind: "access", path: join(home, ".ssh", "id_ed25519") });
  });

  test("a connection to 127.0.0.9:4444, a shell command and a .bashrc write are seen, in a forked child too", () => {
    const findings = traceFindings(`
import os, socket, subprocess
if os.fork() == 0:
    s = socket.socket()
    try: s.connect(("127.0.0.9", 4444))
    except OSError: pass
    os._exit(0)
os.wait()
subprocess.run("true", shell=True)
open(os.path.expanduser("~/.bashrc"), "a").close()
`);
    expect(hits(findings, "network")[0]).toMatchObject({ package: "evilpkg", subject: { kind: "connection", address: "127.0.0.9", port: 4444 } });
    expect(hits(findings, "shell-command")[0]?.subject).toEqual({ kind: "execution", argv: ["/bin/sh", "-c", "true"] });
    expect(hits(findings, "persistence")[0]?.subject).toEqual({ kind: "access", path: join(home, ".bashrc") });
  });
});
