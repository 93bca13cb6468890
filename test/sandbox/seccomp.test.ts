import { describe, expect, test } from "bun:test";
import { bwrapArgs, supportsDisableUserns } from "../../src/sandbox/bwrap.ts";
import {
  BPF, type BpfInstruction, CLONE_DENIED_FLAGS, DENIED_SYSCALLS, SECCOMP_DATA, SECCOMP_RET, type SeccompArch,
  deniedSyscallName, encodeProgram, seccompProgram,
} from "../../src/sandbox/seccomp.ts";

const AUDIT_ARCH_X86_64 = 0xc000003e;
const AUDIT_ARCH_AARCH64 = 0xc00000b7;
const AUDIT_ARCH_I386 = 0x40000003;
const ARCH: Record<SeccompArch, number> = { x86_64: AUDIT_ARCH_X86_64, aarch64: AUDIT_ARCH_AARCH64 };

interface Call {
  arch?: number;
  nr: number;
  /** Low 32 bits of each argument. */
  args?: number[];
}

/** Runs the program the way the kernel does for one `struct seccomp_data`; only the opcodes seccomp.ts emits. */
function run(program: readonly BpfInstruction[], arch: SeccompArch, call: Call): number {
  const load = (offset: number): number => {
    if (offset === SECCOMP_DATA.nr) return call.nr >>> 0;
    if (offset === SECCOMP_DATA.arch) return (call.arch ?? ARCH[arch]) >>> 0;
    const index = (offset - 16) / 8;
    if (!Number.isInteger(index) || index < 0 || index > 5) throw new Error(`load of offset ${offset}`);
    return (call.args?.[index] ?? 0) >>> 0;
  };
  let a = 0;
  for (let pc = 0; pc < program.length; pc++) {
    const { code, jt, jf, k } = program[pc] as BpfInstruction;
    switch (code) {
      case BPF.LD_W_ABS:
        a = load(k);
        break;
      case BPF.JEQ_K:
        pc += a === k >>> 0 ? jt : jf;
        break;
      case BPF.JGE_K:
        pc += a >= k >>> 0 ? jt : jf;
        break;
      case BPF.JSET_K:
        pc += (a & k) !== 0 ? jt : jf;
        break;
      case BPF.RET_K:
        return k >>> 0;
      default:
        throw new Error(`unexpected opcode ${code}`);
    }
  }
  throw new Error("fell off the end of the program");
}

const NR = {
  x86_64: { clone: 56, clone3: 435, personality: 135, seccomp: 317, openat: 257, getpid: 39, read: 0, io_uring_setup: 425, ptrace: 101, unshare: 272 },
  aarch64: { clone: 220, clone3: 435, personality: 92, seccomp: 277, openat: 56, getpid: 172, read: 63, io_uring_setup: 425, ptrace: 117, unshare: 97 },
} as const;
const CLONE_THREAD_FLAGS = 0x3d0f00; // what glibc's pthread_create passes
const FORK_FLAGS = 0x01200011; // CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD
const CLONE_UNTRACED = 0x00800000;
const CLONE_NEWUSER = 0x10000000;
const CLONE_NEWNS = 0x00020000;
const ENOSYS = 38;

for (const arch of ["x86_64", "aarch64"] as const) {
  describe(`seccomp program for ${arch}`, () => {
    const program = seccompProgram(arch);
    const nr = NR[arch];
    const verdict = (call: Call) => run(program, arch, call);

    test("allows ordinary calls", () => {
      for (const call of [nr.openat, nr.getpid, nr.read]) expect(verdict({ nr: call })).toBe(SECCOMP_RET.ALLOW);
    });

    test("traps every denied call", () => {
      for (const [name, numbers] of DENIED_SYSCALLS) expect({ name, ret: verdict({ nr: numbers[arch] }) }).toEqual({ name, ret: SECCOMP_RET.TRAP });
      expect(verdict({ nr: nr.io_uring_setup })).toBe(SECCOMP_RET.TRAP);
      expect(verdict({ nr: nr.ptrace })).toBe(SECCOMP_RET.TRAP);
      expect(verdict({ nr: nr.unshare })).toBe(SECCOMP_RET.TRAP);
    });

    test("lets forks and threads clone, traps untraced and namespace clones", () => {
      expect(verdict({ nr: nr.clone, args: [FORK_FLAGS] })).toBe(SECCOMP_RET.ALLOW);
      expect(verdict({ nr: nr.clone, args: [CLONE_THREAD_FLAGS] })).toBe(SECCOMP_RET.ALLOW);
      expect(verdict({ nr: nr.clone, args: [FORK_FLAGS | CLONE_UNTRACED] })).toBe(SECCOMP_RET.TRAP);
      expect(verdict({ nr: nr.clone, args: [FORK_FLAGS | CLONE_NEWUSER] })).toBe(SECCOMP_RET.TRAP);
      expect(verdict({ nr: nr.clone, args: [CLONE_NEWNS] })).toBe(SECCOMP_RET.TRAP);
      for (let bit = 0; bit < 32; bit++) {
        const flag = (1 << bit) >>> 0;
        const expected = (CLONE_DENIED_FLAGS & flag) !== 0 ? SECCOMP_RET.TRAP : SECCOMP_RET.ALLOW;
        expect({ bit, ret: verdict({ nr: nr.clone, args: [flag] }) }).toEqual({ bit, ret: expected });
      }
    });

    test("answers clone3 with ENOSYS so that glibc falls back to clone", () => {
      expect(verdict({ nr: nr.clone3 })).toBe(SECCOMP_RET.ERRNO | ENOSYS);
    });

    test("lets personality be read but not changed", () => {
      expect(verdict({ nr: nr.personality, args: [0xffffffff] })).toBe(SECCOMP_RET.ALLOW);
      expect(verdict({ nr: nr.personality, args: [0x0040000] })).toBe(SECCOMP_RET.TRAP);
      expect(verdict({ nr: nr.personality, args: [0] })).toBe(SECCOMP_RET.TRAP);
    });

    test("traps a seccomp filter with a user-space listener only", () => {
      expect(verdict({ nr: nr.seccomp, args: [1, 0] })).toBe(SECCOMP_RET.ALLOW);
      expect(verdict({ nr: nr.seccomp, args: [1, 8] })).toBe(SECCOMP_RET.TRAP);
    });

    test("traps every call of another architecture or of the x32 ABI", () => {
      expect(verdict({ arch: AUDIT_ARCH_I386, nr: 20 })).toBe(SECCOMP_RET.TRAP);
      const other = arch === "x86_64" ? AUDIT_ARCH_AARCH64 : AUDIT_ARCH_X86_64;
      expect(verdict({ arch: other, nr: nr.getpid })).toBe(SECCOMP_RET.TRAP);
      expect(verdict({ nr: 0x40000000 + 39 })).toBe(SECCOMP_RET.TRAP);
      expect(verdict({ nr: 0xffffffff })).toBe(SECCOMP_RET.TRAP);
    });

    test("names trapped numbers strace cannot name", () => {
      expect(deniedSyscallName(arch, 467)).toBe("open_tree_attr");
      expect(deniedSyscallName(arch, nr.clone)).toBe("clone");
      expect(deniedSyscallName(arch, nr.getpid)).toBeUndefined();
    });
  });
}

describe("encodeProgram", () => {
  test("writes struct sock_filter little-endian, 8 bytes each", () => {
    const bytes = encodeProgram([{ code: BPF.RET_K, jt: 1, jf: 2, k: SECCOMP_RET.ALLOW }]);
    expect([...bytes]).toEqual([0x06, 0x00, 1, 2, 0x00, 0x00, 0xff, 0x7f]);
    expect(encodeProgram(seccompProgram("x86_64")).length % 8).toBe(0);
  });
});

describe("bwrap confinement arguments", () => {
  const spec = { mounts: [], env: {}, cwd: "/tmp", command: ["true"] };
  const before = (args: string[], end: string) => args.slice(0, args.indexOf(end));

  test("pass the seccomp fd, and disable user namespaces where bwrap can", () => {
    expect(before(bwrapArgs({ ...spec, confinement: { seccompFd: 3, disableUserns: true } }), "--clearenv").slice(-4))
      .toEqual(["--unshare-user", "--disable-userns", "--seccomp", "3"]);
    const older = bwrapArgs({ ...spec, confinement: { seccompFd: 3, disableUserns: false } });
    expect(before(older, "--clearenv").slice(-2)).toEqual(["--seccomp", "3"]);
    expect(older).not.toContain("--disable-userns");
    expect(bwrapArgs(spec)).not.toContain("--seccomp");
  });

  test("a bwrap whose --help does not mention --disable-userns is not given it", () => {
    expect(supportsDisableUserns("/bin/true")).toBe(false);
  });
});
