import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { createSandboxEnvironment, type SandboxEnvironment, writeLibFile } from "../../src/sandbox/environment.ts";
import { detectHostPython, type HostPython, requireSandboxTools } from "../../src/sandbox/host-python.ts";
import { TracedRun } from "../../src/sandbox/traced-run.ts";
import { mirroredValue } from "../../src/sandbox/twin-env.ts";
import { ScanFailedError } from "../../src/core/errors.ts";
import { STRACE_ARGS } from "../../src/trace/parser.ts";
import { useTempDirs } from "../harness/temp.ts";
import { waitForNoProcesses } from "../e2e/helpers.ts";
import { ruleFreeRunner } from "./runner.ts";

/** Runs a Python probe in the sandbox and returns what it printed as JSON, plus the trace lines. */
async function probe(environment: SandboxEnvironment, python: HostPython, script: string, env: Record<string, string> = {}): Promise<{ output: unknown; lines: string[] }> {
  const path = writeLibFile(environment, `probe-${Math.random().toString(36).slice(2)}.py`, script);
  const lines: string[] = [];
  let stdout = "";
  const run = new TracedRun({
    ...requireSandboxTools(),
    straceArgs: STRACE_ARGS,
    sandbox: { mounts: environment.mounts, env: { ...environment.env, ...env }, cwd: environment.workDir, command: [python.executable, "-I", path] },
    controlDir: environment.controlDir,
    timeoutMs: 30_000,
    onLine: (line) => lines.push(line),
    onOutput: (text) => {
      stdout += text;
    },
  });
  const result = await run.done;
  expect(result.exitCode).toBe(0);
  return { output: JSON.parse(stdout.trim().split("\n").at(-1) ?? "null"), lines };
}

const PROBE = String.raw`
import json, os, socket, sys
home = os.path.expanduser("~")
def can_write(path):
    try:
        with open(path, "w") as handle:
            handle.write("x")
        return True
    except OSError:
        return False
def reachable(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        return True
    except OSError:
        return False
status = dict(line.split(":\t", 1) for line in open("/proc/self/status").read().splitlines() if ":\t" in line)
print(json.dumps({
    "home": home,
    "homeEntries": sorted(os.listdir(home)),
    "env": dict(os.environ),
    "etc": sorted(os.listdir("/etc")),
    "osRelease": os.path.isfile("/etc/os-release") and len(open("/etc/os-release").read()) > 0,
    "pipConf": os.path.getsize("/etc/pip.conf") if os.path.exists("/etc/pip.conf") else None,
    "prefixWritable": can_write(os.path.join(sys.base_prefix, "pipcanary-probe")),
    "homeWritable": can_write(os.path.join(home, ".cache", "probe")),
    "capEff": status["CapEff"].strip(),
    "fds": sorted(os.listdir("/proc/self/fd")),
    "hostPort": reachable(int(sys.argv[1]) if len(sys.argv) > 1 else 1),
    "idRsa": open(os.path.join(home, ".ssh", "id_rsa")).read(),
    "sshDir": sorted(os.listdir(os.path.join(home, ".ssh"))),
}))
`;

describe("the sandbox", () => {
  const tempDir = useTempDirs("pipcanary-sandbox");
  let python: HostPython;
  let environment: SandboxEnvironment;
  let parent: string;

  beforeAll(() => {
    python = detectHostPython();
    parent = tempDir("env");
    process.env.SANDBOX_TEST_HOST_SECRET = "must-not-leak";
    process.env.SANDBOX_TEST_PASSED = "passed-on-request";
    environment = createSandboxEnvironment({ python, temporaryDirectory: parent, passEnv: ["SANDBOX_TEST_PASSED"] });
  });
  afterAll(() => {
    environment.release();
    delete process.env.SANDBOX_TEST_HOST_SECRET;
    delete process.env.SANDBOX_TEST_PASSED;
  });

  test("shows a decoy home with canaries at the real home's path, never the real home", async () => {
    const { output } = await probe(environment, python, PROBE);
    const seen = output as { home: string; homeEntries: string[]; idRsa: string; sshDir: string[] };
    expect(seen.home).toBe(homedir());
    expect(seen.sshDir).toEqual(expect.arrayContaining(["config", "id_ed25519", "id_ed25519.pub", "id_rsa", "id_rsa.pub", "known_hosts"]));
    expect(seen.idRsa).toBe(environment.canaries.files.get(".ssh/id_rsa") ?? "missing");
    expect(seen.idRsa).toStartWith("-----BEGIN OPENSSH PRIVATE KEY-----");
    expect(seen.homeEntries).toEqual(expect.arrayContaining([".aws", ".config", ".docker", ".gnupg", ".kube", ".netrc", ".pypirc", ".ssh"]));
    // The real home's entry names are mirrored; of its content only the Python installation is bound (read-only).
    expect(seen.homeEntries).toEqual(expect.arrayContaining(readdirSync(homedir())));
    if (python.prefix.startsWith(`${homedir()}/`)) expect(existsSync(join(environment.runDir, "home", ".pyenv", "shims"))).toBe(false);
  }, 60_000);

  test("passes no host value unless harmless or asked, and sets the canary variables", async () => {
    const { output } = await probe(environment, python, PROBE);
    const env = (output as { env: Record<string, string> }).env;
    expect(env.SANDBOX_TEST_HOST_SECRET).toContain(environment.canaries.token);
    expect(env.SANDBOX_TEST_HOST_SECRET).not.toContain("must-not-leak");
    expect(env.SANDBOX_TEST_PASSED).toBe("passed-on-request");
    // No pip setting of pipcanary's own: only the host's names that are mirrored.
    const hostPip = Object.entries(process.env)
      .filter(([key, value]) => key.startsWith("PIP_") && value !== undefined && mirroredValue(key, value, environment.canaries.token) !== undefined)
      .map(([key]) => key)
      .sort();
    expect(Object.keys(env).filter((key) => key.startsWith("PIP_")).sort()).toEqual(hostPip);
    expect(env.AWS_SECRET_ACCESS_KEY).toContain(environment.canaries.token);
    expect(env.GITHUB_TOKEN).toContain(environment.canaries.token);
    expect(env.HOME).toBe(homedir());
  }, 60_000);

  test("has the host's /etc names without their secrets, a read-only Python, no capabilities, no network and no trace fd", async () => {
    const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("host") });
    try {
      const script = PROBE.replace("int(sys.argv[1]) if len(sys.argv) > 1 else 1", String(server.port));
      const { output } = await probe(environment, python, script);
      const seen = output as { etc: string[]; osRelease: boolean; pipConf: number | null; prefixWritable: boolean; homeWritable: boolean; capEff: string; fds: string[]; hostPort: boolean };
      expect(seen.pipConf ?? 0).toBe(0);
      expect(seen.etc).not.toContain("shadow");
      expect(seen.etc).toContain("resolv.conf");
      expect(seen.etc).toEqual(expect.arrayContaining(["group", "hosts", "ld.so.cache", "os-release", "passwd", "ssl"]));
      expect(seen.osRelease).toBe(true);
      expect(seen.prefixWritable).toBe(false);
      expect(seen.homeWritable).toBe(true);
      expect(seen.capEff).toBe("0000000000000000");
      // stdin, stdout, stderr and the listing's own fd: the trace FIFO is not inherited.
      expect(seen.fds).toEqual(["0", "1", "2", "3"]);
      expect(seen.hostPort).toBe(false);
    } finally {
      server.stop(true);
    }
  }, 60_000);

  test("is traced from outside: the probe's own opens show up with the decoy home path", async () => {
    const { lines } = await probe(environment, python, PROBE);
    expect(lines.some((line) => line.includes(`"${homedir()}/.ssh/id_rsa"`))).toBe(true);
  }, 60_000);

  test("a sandbox that cannot be set up is a scan failure naming bwrap's reason", async () => {
    const runner = ruleFreeRunner(environment);
    const missing = join(environment.runDir, "missing");
    const error = await runner
      .run({ phase: "install", timeoutSeconds: 30, mounts: [{ kind: "ro-bind", source: missing, dest: "/opt/missing" }], steps: [] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ScanFailedError);
    expect((error as ScanFailedError).message).toStartWith("the sandbox could not be set up: bwrap: ");
    expect((error as ScanFailedError).message).toContain(missing);
  }, 60_000);

  test("abort kills every process of the sandbox at once, double-forked ones included", async () => {
    const script = "import os, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n        time.sleep(60)\n    os._exit(0)\ntime.sleep(60)\n";
    const path = writeLibFile(environment, "sleeper.py", script);
    let lines = 0;
    const run = new TracedRun({
      ...requireSandboxTools(),
      straceArgs: STRACE_ARGS,
      sandbox: { mounts: environment.mounts, env: environment.env, cwd: environment.workDir, command: [python.executable, "-I", path] },
      controlDir: environment.controlDir,
      timeoutMs: 30_000,
      onLine: () => {
        lines++;
      },
    });
    while (lines < 50) await Bun.sleep(20);
    await Bun.sleep(300);
    const started = Date.now();
    run.abort();
    const result = await run.done;
    expect(result.aborted).toBe(true);
    expect(result.exitCode).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await waitForNoProcesses(environment.runDir)).toEqual([]);
    expect(await waitForNoProcesses(path)).toEqual([]);
  }, 60_000);
});
