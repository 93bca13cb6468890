import { describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ExitCode } from "../../src/core/exit-codes.ts";
import { EnvironmentError, causeOf, diagnoseSandboxOutput } from "../../src/doctor/diagnosis.ts";
import { type HostFacts, detectContainer, procOverMounts } from "../../src/doctor/host-facts.ts";
import { useTempDirs } from "../harness/temp.ts";

const tempDir = useTempDirs("pipcanary-diagnosis");

const PLAIN_HOST: HostFacts = {
  container: undefined,
  unprivilegedUsernsClone: undefined,
  maxUserNamespaces: 15000,
  apparmorRestrictUserns: undefined,
  yamaPtraceScope: 1,
  tracerPid: undefined,
  procOverMounts: [],
};
const DOCKER: HostFacts = { ...PLAIN_HOST, container: { kind: "docker", evidence: "/.dockerenv exists" }, procOverMounts: ["/proc/kcore", "/proc/keys"] };

describe("bwrap's and strace's messages map to causes", () => {
  test.each([
    ["bwrap: Can't mount proc on /newroot/proc: Operation not permitted", "masked-proc"],
    ["bwrap: No permissions to creating new namespace, likely because the kernel does not allow non-privileged user namespaces. On e.g. debian this can be enabled with 'sysctl kernel.unprivileged_userns_clone=1'.", "userns-forbidden"],
    ["bwrap: No permissions to create new namespace, likely because the kernel does not allow non-privileged user namespaces.", "userns-forbidden"],
    ["bwrap: setting up uid map: Permission denied", "userns-forbidden"],
    ["bwrap: Creating new namespace failed: Operation not permitted", "userns-forbidden"],
    ["bwrap: Creating new namespace failed: nesting depth or /proc/sys/user/max_*_namespaces exceeded (ENOSPC)", "userns-limit"],
    ["strace: test_ptrace_get_syscall_info: PTRACE_TRACEME: Operation not permitted", "ptrace-denied"],
    ["strace: attach: ptrace(PTRACE_SEIZE, 12): Operation not permitted", "ptrace-denied"],
  ] as const)("%s", (message, cause) => {
    expect(causeOf(`some output\n${message}\n`)).toBe(cause);
  });

  test("other failures have no environment cause", () => {
    for (const message of ["bwrap: Can't find source path /opt/missing: No such file or directory", "bwrap: open /proc/12/ns/ns failed: No such file or directory", "strace: Can't stat 'x': No such file or directory", ""]) {
      expect(causeOf(message)).toBeUndefined();
      expect(diagnoseSandboxOutput(message, DOCKER)).toBeUndefined();
    }
  });
});

describe("each cause gets the fix of its environment", () => {
  const proc = "bwrap: Can't mount proc on /newroot/proc: Operation not permitted";

  test("masked /proc: the runtime's unmask switch, and the masks found", () => {
    const docker = diagnoseSandboxOutput(proc, DOCKER);
    expect(docker?.what).toContain("/proc/kcore, /proc/keys");
    expect(docker?.fix).toContain("docker run --security-opt systempaths=unconfined");
    expect(diagnoseSandboxOutput(proc, { ...DOCKER, container: { kind: "podman", evidence: "" } })?.fix).toContain("--security-opt unmask=ALL");
    const kubernetes = diagnoseSandboxOutput(proc, { ...DOCKER, container: { kind: "kubernetes", evidence: "" } })?.fix;
    expect(kubernetes).toContain("procMount: Unmasked");
    expect(kubernetes).toContain("hostUsers: false");
    const unknown = diagnoseSandboxOutput(proc, PLAIN_HOST)?.fix ?? "";
    for (const recipe of ["systempaths=unconfined", "unmask=ALL", "procMount: Unmasked"]) expect(unknown).toContain(recipe);
  });

  test("user namespaces: the sysctl that forbids them, else the container's profile", () => {
    const message = "bwrap: setting up uid map: Permission denied";
    expect(diagnoseSandboxOutput(message, { ...PLAIN_HOST, unprivilegedUsernsClone: 0 })?.fix).toContain("sysctl -w kernel.unprivileged_userns_clone=1");
    expect(diagnoseSandboxOutput(message, { ...PLAIN_HOST, maxUserNamespaces: 0 })?.fix).toContain("sysctl -w user.max_user_namespaces=");
    const ubuntu = diagnoseSandboxOutput(message, { ...PLAIN_HOST, apparmorRestrictUserns: 1 });
    expect(ubuntu?.what).toContain("AppArmor");
    expect(ubuntu?.fix).toContain("kernel.apparmor_restrict_unprivileged_userns=0");
    expect(ubuntu?.fix).toContain("userns,");
    const docker = diagnoseSandboxOutput(message, DOCKER);
    expect(docker?.what).toContain("docker container's profile");
    expect(docker?.fix).toContain("seccomp");
    expect(diagnoseSandboxOutput(message, { ...DOCKER, container: { kind: "kubernetes", evidence: "" } })?.fix).toContain("seccompProfile");
  });

  test("ptrace: Yama's scope, else the container's capability", () => {
    const message = "strace: attach: ptrace(PTRACE_SEIZE, 12): Operation not permitted";
    expect(diagnoseSandboxOutput(message, { ...PLAIN_HOST, yamaPtraceScope: 2 })?.fix).toContain("sysctl -w kernel.yama.ptrace_scope=1");
    expect(diagnoseSandboxOutput(message, { ...PLAIN_HOST, yamaPtraceScope: 3 })?.fix).toContain("reboot");
    expect(diagnoseSandboxOutput(message, DOCKER)?.fix).toContain("SYS_PTRACE");
    const traced = diagnoseSandboxOutput(message, { ...DOCKER, tracerPid: 42 });
    expect(traced?.what).toContain("TracerPid 42");
    expect(traced?.fix).toContain("without strace");
  });

  test("a user-namespace limit: the outer sandbox, or the sysctl when it is the limit", () => {
    const message = "bwrap: Creating new namespace failed: nesting depth or /proc/sys/user/max_*_namespaces exceeded (ENOSPC)";
    expect(diagnoseSandboxOutput(message, DOCKER)?.fix).toContain("--disable-userns");
    expect(diagnoseSandboxOutput(message, { ...PLAIN_HOST, maxUserNamespaces: 1 })?.fix).toContain("sysctl -w user.max_user_namespaces=15000");
  });

  test("an environment error is a precondition failure that points to doctor", () => {
    const diagnosis = diagnoseSandboxOutput(proc, DOCKER);
    if (!diagnosis) throw new Error("no diagnosis");
    const error = new EnvironmentError("the sandbox could not be set up", diagnosis);
    expect(error.exitCode).toBe(ExitCode.MissingPrecondition);
    expect(error.message).toContain("masked");
    expect(error.hint).toContain("systempaths=unconfined");
    expect(error.hint).toContain("pipcanary doctor");
  });
});

describe("host facts", () => {
  test("over-mounts under /proc: read-only and tmpfs ones, not /proc itself", () => {
    const mountinfo = [
      "22 27 0:21 / /proc rw,relatime - proc proc rw",
      "151 150 0:47 /irq /proc/irq ro,nosuid,nodev - proc proc rw",
      "153 150 0:50 / /proc/kcore rw,nosuid - tmpfs tmpfs rw,size=0k",
      "154 150 0:47 /sys /proc/sys ro,nosuid - proc proc rw",
      "155 27 0:51 / /proc2/x ro - tmpfs tmpfs ro",
      "156 150 0:47 /fs /proc/fs rw - proc proc rw",
    ].join("\n");
    expect(procOverMounts(mountinfo)).toEqual(["/proc/irq", "/proc/kcore", "/proc/sys"]);
  });

  test("the container kind from the environment and marker files", () => {
    const root = tempDir("root");
    expect(detectContainer({ container: "" }, root)).toBeUndefined();
    writeFileSync(join(root, ".dockerenv"), "");
    expect(detectContainer({}, root)?.kind).toBe("docker");
    mkdirSync(join(root, "run"));
    writeFileSync(join(root, "run", ".containerenv"), "");
    expect(detectContainer({}, root)?.kind).toBe("podman");
    expect(detectContainer({ KUBERNETES_SERVICE_HOST: "10.0.0.1" }, root)?.kind).toBe("kubernetes");
  });
});
