import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { createSandboxEnvironment, type SandboxEnvironment, writeLibFile } from "../../src/sandbox/environment.ts";
import { detectHostPython, type HostPython } from "../../src/sandbox/host-python.ts";
import { exerciseProgram } from "../../src/pipeline/exercise-unit.ts";
import { SANDBOX_NAMESERVER } from "../../src/sandbox/host-etc.ts";
import { supervisorProgram } from "../../src/sandbox/supervisor.ts";
import { keepsHostValue, mirroredValue, shapedCanary } from "../../src/sandbox/twin-env.ts";
import type { IndexServer } from "../harness/types.ts";
import { buildWheel } from "../harness/wheel.ts";
import { connect, scan as scanTrace } from "../match/pipeline.ts";
import { project, scan, startIndex, waitForNoProcesses } from "../e2e/helpers.ts";
import { ruleFreeRunner } from "./runner.ts";

/** The host's user name as the host's passwd gives it (os.userInfo falls back to $USER). */
function hostUserName(): string {
  return Bun.spawnSync(["id", "-un"]).stdout.toString().trim();
}

/** The scanner's name, spelled so that no file of the sandbox contains it because of this test. */
const SCANNER = ["pip", "canary"].join("");

/**
 * Runs inside the sandbox as a supervisor step and writes what a payload would compare with the
 * host to the file named by argv[1]: nothing is printed.
 */
const PROBE = String.raw`
import json, os, pwd, socket, sys
needle = ("pip" + "canary").encode()
def read(path):
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return b""
def cmdline(pid):
    return [arg.decode(errors="replace") for arg in read("/proc/%s/cmdline" % pid).split(b"\0") if arg]
hits = []
# Names everywhere; contents only of the temp dirs and the home, not of the host files in /etc.
for root, contents in (("/tmp", True), (os.path.expanduser("~"), True), ("/etc", False)):
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            if needle in path.lower().encode(errors="replace"):
                hits.append(path)
            elif contents and name in filenames and os.path.isfile(path) and os.path.getsize(path) < (1 << 20) and needle in read(path).lower():
                hits.append(path)
pids = [name for name in os.listdir("/proc") if name.isdigit()]
status = dict(line.split(":\t", 1) for line in read("/proc/self/status").decode().splitlines() if ":\t" in line)
with open(sys.argv[1], "w") as out:
    json.dump({
        "hostname": socket.gethostname(),
        "user": pwd.getpwuid(os.getuid()).pw_name,
        "uid": os.getuid(),
        "gid": os.getgid(),
        "env": dict(os.environ),
        "flags": {"isolated": sys.flags.isolated, "no_site": sys.flags.no_site, "ignore_environment": sys.flags.ignore_environment},
        "prefix": sys.prefix,
        "etc": sorted(os.listdir("/etc")),
        "root": sorted(os.listdir("/")),
        "varTmpWritable": os.access("/var/tmp", os.W_OK) if os.path.isdir("/var/tmp") else None,
        "resolv": read("/etc/resolv.conf").decode(),
        "cmdline": cmdline("self"),
        "parent": cmdline(os.getppid()),
        "processes": [cmdline(pid) + [read("/proc/%s/comm" % pid).decode().strip()] for pid in pids],
        "parentEnvNames": [entry.split(b"=", 1)[0].decode() for entry in read("/proc/%d/environ" % os.getppid()).split(b"\0") if entry],
        "mountinfo": read("/proc/self/mountinfo").decode(errors="replace"),
        "tracerPid": status.get("TracerPid", "").strip(),
        "hits": hits,
    }, out)
`;

interface ProbeView {
  hostname: string;
  user: string;
  uid: number;
  gid: number;
  env: Record<string, string>;
  flags: Record<string, number>;
  prefix: string;
  etc: string[];
  root: string[];
  varTmpWritable: boolean | null;
  resolv: string;
  cmdline: string[];
  parent: string[];
  processes: string[][];
  parentEnvNames: string[];
  mountinfo: string;
  tracerPid: string;
  hits: string[];
}

/** Host variables the probe test adds, shaped like what real hosts carry. */
const TEST_VARIABLES: Record<string, string> = {
  CI: "true",
  GITHUB_ACTIONS: "true",
  TWIN_TEST_DEPLOY_TOKEN: "ghp_0123456789abcdefghijABCDEFGHIJ012345",
  TWIN_TEST_REGISTRY: "https://builder:s3cr3tvalue@registry.example.org/simple/",
  TWIN_TEST_PLAIN: "some-host-specific-value",
  TWIN_TEST_PASSED: "passed-on-request",
};

describe("the sandbox is a twin of the host", () => {
  let python: HostPython;
  let environment: SandboxEnvironment;
  let view: ProbeView;

  beforeAll(async () => {
    python = detectHostPython();
    Object.assign(process.env, TEST_VARIABLES);
    environment = createSandboxEnvironment({ python, passEnv: ["TWIN_TEST_PASSED"] });
    const runner = ruleFreeRunner(environment);
    const probe = writeLibFile(environment, "probe.py", PROBE);
    const output = join(environment.workDir, "view.json");
    const outcome = await runner.run({ phase: "import", timeoutSeconds: 150, steps: [{ argv: [python.executable, probe, output], required: true, package: undefined, label: "probe" }] });
    expect(outcome.failedStep).toBeUndefined();
    view = JSON.parse(readFileSync(output, "utf8")) as ProbeView;
  }, 200_000);
  afterAll(() => {
    environment.release();
    for (const name of Object.keys(TEST_VARIABLES)) delete process.env[name];
  });

  test("has the host's hostname, user, uid and gid", () => {
    expect(view.hostname).toBe(hostname());
    expect(view.user).toBe(hostUserName());
    expect(view.uid).toBe(userInfo().uid);
    expect(view.gid).toBe(userInfo().gid);
  });

  test("names nothing after the scanner: paths, files, processes, arguments, environment, mounts", () => {
    expect(view.hits).toEqual([]);
    const everything = JSON.stringify(view).toLowerCase();
    expect(everything.includes(SCANNER)).toBe(false);
    expect(environment.runDir.split("/").at(-1)).toMatch(/^tmp[a-z0-9_]{8}$/);
    // The supervisor is a bare interpreter: no script, no plan, no flags on its command line.
    expect(view.parent).toEqual([python.executable]);
    expect(view.flags).toEqual({ isolated: 0, no_site: 0, ignore_environment: 0 });
    expect(view.tracerPid).toBe("0");
  });

  test("shows every host variable name; harmless values kept, the rest canaries", () => {
    const token = environment.canaries.token;
    const mirrored = Object.entries(process.env).filter(([name, value]) => value !== undefined && !name.toLowerCase().includes(SCANNER) && mirroredValue(name, value, token) !== undefined);
    // Only pip's own settings that would steer pipcanary's pip are left out.
    expect(Object.keys(process.env).filter((name) => !name.startsWith("PIP_") && !name.toLowerCase().includes(SCANNER)).every((name) => mirrored.some(([kept]) => kept === name))).toBe(true);
    expect(Object.keys(view.env)).toEqual(expect.arrayContaining(mirrored.map(([name]) => name)));
    // The supervisor's own environment differs only in interpreter settings that keep it from importing planted files.
    const supervisorOnly = new Set(["PYTHONNOUSERSITE", "PYTHONSAFEPATH"]);
    expect(view.parentEnvNames.filter((name) => !supervisorOnly.has(name)).every((name) => name in view.env)).toBe(true);
    expect(view.env.CI).toBe("true");
    expect(view.env.GITHUB_ACTIONS).toBe("true");
    expect(view.env.TWIN_TEST_PASSED).toBe("passed-on-request");
    const deploy = view.env.TWIN_TEST_DEPLOY_TOKEN ?? "";
    expect(deploy.startsWith("ghp_") && deploy.includes(token) && deploy.length >= 40).toBe(true);
    const registry = view.env.TWIN_TEST_REGISTRY ?? "";
    expect(registry.startsWith("https://") && registry.includes(token) && !registry.includes("s3cr3tvalue")).toBe(true);
    expect((view.env.TWIN_TEST_PLAIN ?? "").includes(token)).toBe(true);
    // Every value that was not kept differs from the host's and carries the token.
    for (const [name, value] of mirrored) {
      if (value === undefined || name === "TWIN_TEST_PASSED") continue;
      const seen = view.env[name] ?? "";
      if (mirroredValue(name, value, token) !== value && !["HOME", "PATH", "PWD", "_", "TMPDIR", "TMP", "TEMP"].includes(name)) {
        expect(seen !== value && seen.includes(token) === !["AKIA", "ASIA"].some((prefix) => value.startsWith(prefix))).toBe(true);
      }
    }
    // Canary credentials stay, whatever the host has.
    expect(view.env.AWS_SECRET_ACCESS_KEY).toContain(token);
  });

  test("shows the host's /etc and top-level dir names, and a resolver on an unused loopback address", () => {
    const hostEtc = readdirSync("/etc").filter((name) => !/^g?shadow-?$/.test(name));
    expect(view.etc).toEqual(expect.arrayContaining(hostEtc));
    expect(view.etc.filter((name) => !hostEtc.includes(name)).every((name) => ["resolv.conf", "hosts", "machine-id"].includes(name))).toBe(true);
    expect(view.resolv).toContain(`nameserver ${SANDBOX_NAMESERVER}\n`);
    const hostRootDirs = readdirSync("/", { withFileTypes: true }).filter((entry) => entry.isDirectory() && entry.name !== "sys").map((entry) => entry.name);
    expect(view.root).toEqual(expect.arrayContaining(hostRootDirs));
    if (existsSync("/var/tmp")) expect(view.varTmpWritable).toBe(true);
    expect(view.mountinfo).toContain(" /etc ");
  });
});

describe("the supervisor runs nothing package code could plant", () => {
  let python: HostPython;
  let environment: SandboxEnvironment;

  beforeAll(() => {
    python = detectHostPython();
    environment = createSandboxEnvironment({ python });
  });
  afterAll(() => environment.release());

  test("modules in the work dir or on PYTHONPATH and .pth files in the user site are not imported; steps keep PYTHONPATH", async () => {
    const ran = join(environment.workDir, "planted-ran");
    const plant = `open(${JSON.stringify(ran)}, "a").write("ran\\n")\n`;
    for (const module of ["json", "selectors", "socket", "subprocess", "threading"]) writeFileSync(join(environment.workDir, `${module}.py`), plant);
    const userSite = Bun.spawnSync([python.executable, "-c", "import site; print(site.getusersitepackages())"], { env: { HOME: environment.home } }).stdout.toString().trim();
    expect(userSite.startsWith(`${environment.home}/`)).toBe(true);
    const plantedSite = join(environment.runDir, "home", userSite.slice(environment.home.length + 1));
    mkdirSync(plantedSite, { recursive: true });
    writeFileSync(join(plantedSite, "planted.pth"), `import os; ${plant}`);
    const seen = join(environment.workDir, "step-pythonpath");
    const step = [python.executable, "-I", "-c", `import os; open(${JSON.stringify(seen)}, "w").write(os.environ.get("PYTHONPATH", ""))`];
    const outcome = await ruleFreeRunner(environment).run({
      phase: "install",
      timeoutSeconds: 60,
      env: { PYTHONPATH: environment.workDir },
      steps: [{ argv: step, required: true, package: undefined, label: "step" }],
    });
    expect(outcome.failedStep).toBeUndefined();
    expect(existsSync(ran)).toBe(false);
    expect(readFileSync(seen, "utf8")).toBe(environment.workDir);
  }, 120_000);
});

describe("the programs pipcanary runs in the sandbox", () => {
  test("name nothing after the scanner (package code can read their source or memory)", () => {
    const program = supervisorProgram({ forward: { port: 3128, socket: "/tmp/tmpabcdefgh/tmpijklmnop" }, steps: [], graceSeconds: 1, failedBase: 100, env: {} });
    expect(program.toLowerCase().includes(SCANNER)).toBe(false);
    const unit = { start: "/tmp/.a", budgetReached: "/tmp/.b", done: "/tmp/.c", failed: "/tmp/.d", budget: 5, grace: 2, modules: ["pkg"], entryPoints: [], scripts: [] };
    expect(exerciseProgram([unit], 3).toLowerCase().includes(SCANNER)).toBe(false);
  });
});

describe("canary shapes", () => {
  const token = "0123456789abcdef";
  test("keep a credential's prefix and length class, a URL's scheme, a path's directory", () => {
    expect(shapedCanary("glpat-abcdefghijklmnopqrst", token)).toMatch(/^glpat-.*0123456789abcdef/);
    expect(shapedCanary("xoxb-1234-5678-abcdefghijkl", token)).toStartWith("xoxb-");
    expect(shapedCanary("AKIAABCDEFGHIJKLMNOP", token)).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(shapedCanary("postgres://app:pw@db.example.org:5432/app", token)).toMatch(/^postgres:\/\/[A-Za-z0-9]+:[A-Za-z0-9]*0123456789abcdef[A-Za-z0-9]*@[a-z]+\.internal\.example:5432\/$/);
    expect(shapedCanary("/tmp/ssh-XXXXabcd/agent.1234", token)).toMatch(/^\/tmp\/ssh-XXXXabcd\/[A-Za-z0-9]+\.[A-Za-z0-9]+\.0123456789abcdef$/);
    expect(shapedCanary("deadbeefdeadbeefdeadbeefdeadbeef", token)).toMatch(/^[0-9a-f]{32}$/);
    const pem = shapedCanary("-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n", token);
    expect(pem).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n[A-Za-z0-9+/=\n]+\n-----END RSA PRIVATE KEY-----\n$/);
    expect(Buffer.from(pem.split("\n").slice(1, -2).join(""), "base64").toString("latin1")).toContain(token);
    const account = JSON.parse(shapedCanary(JSON.stringify({ type: "service_account", private_key_id: "abc123", port: 5 }), token)) as Record<string, unknown>;
    expect(Object.keys(account)).toEqual(["type", "private_key_id", "port"]);
    expect(account.port).toBe(5);
    expect(String(account.private_key_id)).toContain(token);
  });

  test("secret-looking names never keep their value; flags and allowlisted names do", () => {
    expect(keepsHostValue("CI", "true")).toBe(true);
    expect(keepsHostValue("LC_ALL", "C.UTF-8")).toBe(true);
    expect(keepsHostValue("PYTHONDONTWRITEBYTECODE", "1")).toBe(true);
    expect(keepsHostValue("DEPLOY_TOKEN", "1")).toBe(false);
    expect(keepsHostValue("DB_PASSWORD", "true")).toBe(false);
    expect(keepsHostValue("SSH_AUTH_SOCK", "/tmp/ssh-x/agent.1")).toBe(false);
    expect(keepsHostValue("SOME_SETTING", "a-value")).toBe(false);
    expect(keepsHostValue("PWD", "/home/me")).toBe(true);
  });
});

describe("a DNS lookup in the sandbox is a network finding", () => {
  test("connect and sendto to the sandbox's resolver match the network rule", () => {
    for (const syscall of ["connect", "sendto"] as const) {
      const findings = scanTrace([connect(SANDBOX_NAMESERVER, 53, syscall)]);
      expect(findings.map((finding) => [finding.ruleId, finding.severity])).toEqual([["network", "block"]]);
    }
  });
});

/**
 * A payload that goes dormant in anything that does not look like this very host: it checks the
 * hostname, the user, and that nothing names the scanner in its environment, in its own and its
 * ancestors' command lines (not init's, which a rule watches) or in sys.prefix. Only then does it read a key (and discard the bytes).
 */
function evasivePackage(name: string, payload: string): ReturnType<typeof project> {
  const module = name.replace(/-/g, "_");
  const body = String.raw`
import os, pwd, socket, sys
def _twin():
    if socket.gethostname() != ${JSON.stringify(hostname())} or pwd.getpwuid(os.getuid()).pw_name != ${JSON.stringify(hostUserName())}:
        return False
    needle = "pip" + "canary"
    seen = [repr(dict(os.environ)), sys.prefix, sys.executable, os.getcwd()]
    pid = os.getpid()
    while pid > 1:
        try:
            with open("/proc/%d/cmdline" % pid, "rb") as handle:
                seen.append(handle.read().decode(errors="replace"))
            with open("/proc/%d/stat" % pid) as handle:
                pid = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            break
    return not any(needle in text.lower() for text in seen)
if _twin():
${payload}
`;
  return project(name, "1.0", buildWheel({ name, version: "1.0", files: { [`${module}/__init__.py`]: body } }));
}

/** Looks a name up only where every configured resolver is on loopback (as in the sandbox), never elsewhere. */
const DNS_LOOKUP = String.raw`
import socket
def _loopback_resolvers():
    try:
        with open("/etc/resolv.conf") as handle:
            servers = [line.split()[1] for line in handle if line.startswith("nameserver") and len(line.split()) > 1]
    except OSError:
        return False
    return bool(servers) and all(server.startswith("127.") for server in servers)
if _loopback_resolvers():
    try:
        socket.getaddrinfo("telemetry.invalid", 443)
    except OSError:
        pass
`;

describe("payloads that check for the sandbox still run in it", () => {
  let index: IndexServer;
  const parents: string[] = [];
  /** A neutral parent dir: the payload checks every path it can see for the scanner's name. */
  const neutralParent = () => {
    const dir = mkdtempSync(join(tmpdir(), "tmp"));
    parents.push(dir);
    return dir;
  };

  beforeAll(async () => {
    index = await startIndex([
      evasivePackage("twin-evasive", "    try:\n        open(os.path.expanduser('~/.ssh/id_rsa'), 'rb').read()\n    except OSError:\n        pass"),
      evasivePackage("twin-lookalike", "    os.environ.get('CI')"),
      project("twin-dns", "1.0", buildWheel({ name: "twin-dns", version: "1.0", files: { "twin_dns/__init__.py": DNS_LOOKUP } })),
    ]);
  });
  afterAll(async () => {
    await index.stop();
    for (const dir of parents) rmSync(dir, { recursive: true, force: true });
  });

  const cases = [
    { request: "twin-evasive", rule: "ssh", subject: /\/\.ssh\/id_rsa$/ },
    { request: "twin-dns", rule: "network", subject: new RegExp(`^${SANDBOX_NAMESERVER.replace(/\./g, "\\.")}:53$`) },
  ];
  for (const { request, rule, subject } of cases) {
    test(`${request} is blocked at import`, async () => {
      const parent = neutralParent();
      const result = await scan(index, [request], parent);
      const blocking = result.findings.find((finding) => finding.severity === "block");
      expect({ blocked: result.blocked, package: blocking?.package, phase: blocking?.phase, rule: blocking?.ruleId }).toEqual({ blocked: true, package: request, phase: "import", rule });
      const seen = blocking?.subject;
      const text = seen?.kind === "access" ? seen.path : seen?.kind === "connection" ? `${seen.address}:${seen.port}` : "";
      expect(text).toMatch(subject);
      expect(await waitForNoProcesses(parent)).toEqual([]);
      expect(readdirSync(parent)).toEqual([]);
    }, 120_000);
  }

  test("the look-alike that only checks where it runs stays clean", async () => {
    const parent = neutralParent();
    const result = await scan(index, ["twin-lookalike"], parent);
    expect(result.findings.filter((finding) => finding.severity === "block")).toEqual([]);
    result.dispose();
    expect(readdirSync(parent)).toEqual([]);
  }, 120_000);
});
