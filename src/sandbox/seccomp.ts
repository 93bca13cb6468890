/**
 * The seccomp filter every sandboxed process runs under: a classic-BPF program generated here and
 * handed to bwrap (`--seccomp FD`), which loads it right before it executes the sandbox's command,
 * so every process of the sandbox inherits it. It closes the channels strace cannot see or follow.
 *
 * Denied calls get SECCOMP_RET_TRAP, not ERRNO: strace runs with `--seccomp-bpf`, and the kernel
 * applies only the highest-precedence action of all filters (KILL > TRAP > ERRNO > USER_NOTIF >
 * TRACE > ALLOW), so an ERRNO denial never reaches strace. A trap sends SIGSYS with `si_syscall`,
 * strace prints it, and the parser turns it into a `denied` event blamed on the caller. The
 * kernel forces that SIGSYS through blocked or ignored handlers. rules/README.md lists every
 * entry and why it is here.
 */

export type SeccompArch = "x86_64" | "aarch64";

/** AUDIT_ARCH_* values of `seccomp_data.arch`. */
const AUDIT_ARCH: Record<SeccompArch, number> = { x86_64: 0xc000003e, aarch64: 0xc00000b7 };

/** The x32 ABI's syscall numbers carry this bit and report AUDIT_ARCH_X86_64. */
export const X32_SYSCALL_BIT = 0x40000000;

/** Syscall numbers per architecture (x86_64 and the generic table aarch64 uses). */
type Numbers = Record<SeccompArch, number>;

function same(n: number): Numbers {
  return { x86_64: n, aarch64: n };
}

/** Calls denied whatever their arguments; the families match the rules in behaviour-system.yaml. */
export const DENIED_SYSCALLS: ReadonlyMap<string, Numbers> = new Map<string, Numbers>([
  // Files and sockets through a shared ring: no open/read/connect syscall for strace to see.
  ["io_uring_setup", same(425)],
  ["io_uring_enter", same(426)],
  ["io_uring_register", same(427)],
  // New namespaces and mounts: a private view of the filesystem or a mapped-root user namespace.
  ["unshare", { x86_64: 272, aarch64: 97 }],
  ["setns", { x86_64: 308, aarch64: 268 }],
  ["mount", { x86_64: 165, aarch64: 40 }],
  ["umount2", { x86_64: 166, aarch64: 39 }],
  ["pivot_root", { x86_64: 155, aarch64: 41 }],
  ["chroot", { x86_64: 161, aarch64: 51 }],
  ["open_tree", same(428)],
  ["move_mount", same(429)],
  ["fsopen", same(430)],
  ["fsconfig", same(431)],
  ["fsmount", same(432)],
  ["fspick", same(433)],
  ["mount_setattr", same(442)],
  ["open_tree_attr", same(467)],
  // Other processes' memory and descriptors: work done in a traced process by an untraced hand.
  ["ptrace", { x86_64: 101, aarch64: 117 }],
  ["process_vm_readv", { x86_64: 310, aarch64: 270 }],
  ["process_vm_writev", { x86_64: 311, aarch64: 271 }],
  ["pidfd_getfd", same(438)],
  // Files by handle instead of by path: no path for the rules to match.
  ["name_to_handle_at", { x86_64: 303, aarch64: 264 }],
  ["open_by_handle_at", { x86_64: 304, aarch64: 265 }],
  // Kernel interfaces that are exploit primitives or reach beyond the sandbox.
  ["bpf", { x86_64: 321, aarch64: 280 }],
  ["perf_event_open", { x86_64: 298, aarch64: 241 }],
  ["userfaultfd", { x86_64: 323, aarch64: 282 }],
  ["keyctl", { x86_64: 250, aarch64: 219 }],
  ["add_key", { x86_64: 248, aarch64: 217 }],
  ["request_key", { x86_64: 249, aarch64: 218 }],
  ["kexec_load", { x86_64: 246, aarch64: 104 }],
  ["kexec_file_load", { x86_64: 320, aarch64: 294 }],
  ["init_module", { x86_64: 175, aarch64: 105 }],
  ["finit_module", { x86_64: 313, aarch64: 273 }],
  ["delete_module", { x86_64: 176, aarch64: 106 }],
]);

const CLONE: Numbers = { x86_64: 56, aarch64: 220 };
const CLONE3: Numbers = same(435);
const PERSONALITY: Numbers = { x86_64: 135, aarch64: 92 };
const SECCOMP: Numbers = { x86_64: 317, aarch64: 277 };

/**
 * clone flags that leave strace's view: CLONE_UNTRACED (a child strace -f does not follow) and
 * every CLONE_NEW* namespace flag that clone accepts (CLONE_NEWTIME is not among them).
 */
export const CLONE_DENIED_FLAGS =
  0x00800000 | // CLONE_UNTRACED
  0x00020000 | // CLONE_NEWNS
  0x02000000 | // CLONE_NEWCGROUP
  0x04000000 | // CLONE_NEWUTS
  0x08000000 | // CLONE_NEWIPC
  0x10000000 | // CLONE_NEWUSER
  0x20000000 | // CLONE_NEWPID
  0x40000000; // CLONE_NEWNET

/** personality(0xffffffff) only reads the persona; every other value changes it. */
const PERSONALITY_QUERY = 0xffffffff;
/** A filter with a user-notification listener lets another process run calls on a tracee's behalf. */
const SECCOMP_FILTER_FLAG_NEW_LISTENER = 8;
const ENOSYS = 38;

/** The calls the filter traps only for some arguments (see seccompProgram). */
export const CONDITIONALLY_DENIED: ReadonlyMap<string, Numbers> = new Map([["clone", CLONE], ["personality", PERSONALITY], ["seccomp", SECCOMP]]);

export const SECCOMP_RET = {
  TRAP: 0x00030000,
  ERRNO: 0x00050000,
  ALLOW: 0x7fff0000,
} as const;

/** Classic BPF opcodes, the only ones the generated program uses. */
export const BPF = {
  LD_W_ABS: 0x20,
  JEQ_K: 0x15,
  JGE_K: 0x35,
  JSET_K: 0x45,
  RET_K: 0x06,
} as const;

/** Offsets into `struct seccomp_data`; arguments are 64-bit, little-endian on both arches. */
export const SECCOMP_DATA = { nr: 0, arch: 4, argLow: (index: number) => 16 + 8 * index } as const;

export interface BpfInstruction {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

/** The architecture pipcanary runs on, or undefined where no filter can be generated. */
export function hostSeccompArch(): SeccompArch | undefined {
  if (process.arch === "x64") return "x86_64";
  if (process.arch === "arm64") return "aarch64";
  return undefined;
}

type Label = "trap" | "enosys" | "allow";

/** An instruction whose jump targets are labels or fixed offsets; labels are resolved at the end. */
interface Draft {
  code: number;
  k: number;
  jt: Label | number;
  jf: Label | number;
}

/**
 * The filter for `arch`: any other architecture or the x32 ABI is trapped, so a 32-bit `int 0x80`
 * or an x32 call cannot reach the numbers below under another name; clone3 gets ENOSYS because BPF
 * cannot read its flags from memory, and glibc then falls back to clone, whose flags it can read.
 */
export function seccompProgram(arch: SeccompArch): BpfInstruction[] {
  const drafts: Draft[] = [];
  const ins = (code: number, k: number, jt: Label | number = 0, jf: Label | number = 0) => drafts.push({ code, k, jt, jf });

  ins(BPF.LD_W_ABS, SECCOMP_DATA.arch);
  ins(BPF.JEQ_K, AUDIT_ARCH[arch], 0, "trap");
  ins(BPF.LD_W_ABS, SECCOMP_DATA.nr);
  ins(BPF.JGE_K, X32_SYSCALL_BIT, "trap");
  for (const numbers of DENIED_SYSCALLS.values()) ins(BPF.JEQ_K, numbers[arch], "trap");
  ins(BPF.JEQ_K, CLONE3[arch], "enosys");
  // An argument check loads over the syscall number, so it is a block of its own that returns.
  const argumentCheck = (nr: number, argIndex: number, test: number, k: number, onMatch: Label, onMiss: Label) => {
    ins(BPF.JEQ_K, nr, 0, 2);
    ins(BPF.LD_W_ABS, SECCOMP_DATA.argLow(argIndex));
    ins(test, k, onMatch, onMiss);
  };
  argumentCheck(CLONE[arch], 0, BPF.JSET_K, CLONE_DENIED_FLAGS, "trap", "allow");
  argumentCheck(PERSONALITY[arch], 0, BPF.JEQ_K, PERSONALITY_QUERY, "allow", "trap");
  argumentCheck(SECCOMP[arch], 1, BPF.JSET_K, SECCOMP_FILTER_FLAG_NEW_LISTENER, "trap", "allow");
  const labels: Record<Label, number> = { allow: drafts.length, trap: drafts.length + 1, enosys: drafts.length + 2 };
  ins(BPF.RET_K, SECCOMP_RET.ALLOW);
  ins(BPF.RET_K, SECCOMP_RET.TRAP);
  ins(BPF.RET_K, SECCOMP_RET.ERRNO | ENOSYS);

  return drafts.map((draft, index) => {
    const offset = (target: Label | number): number => {
      const distance = typeof target === "number" ? target : labels[target] - index - 1;
      if (distance < 0 || distance > 255) throw new Error(`seccomp jump out of range at instruction ${index}`);
      return distance;
    };
    return { code: draft.code, k: draft.k, jt: offset(draft.jt), jf: offset(draft.jf) };
  });
}

/** `struct sock_filter[]` as bwrap reads it from `--seccomp FD`: native (little) endian. */
export function encodeProgram(program: readonly BpfInstruction[]): Uint8Array {
  const bytes = new Uint8Array(program.length * 8);
  const view = new DataView(bytes.buffer);
  program.forEach(({ code, jt, jf, k }, i) => {
    view.setUint16(i * 8, code, true);
    view.setUint8(i * 8 + 2, jt);
    view.setUint8(i * 8 + 3, jf);
    view.setUint32(i * 8 + 4, k >>> 0, true);
  });
  return bytes;
}

/** The name of a denied syscall number of `arch`, for traps strace prints as a bare number. */
export function deniedSyscallName(arch: SeccompArch, nr: number): string | undefined {
  for (const table of [DENIED_SYSCALLS, CONDITIONALLY_DENIED]) {
    for (const [name, numbers] of table) if (numbers[arch] === nr) return name;
  }
  return undefined;
}
