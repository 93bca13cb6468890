/*
 * Test packages that try the channels strace cannot see or follow (issue 8): each only makes the
 * call, in a forked child that exits at once where the call would change the caller, reads
 * nothing secret and prints nothing. The sandbox's seccomp filter traps them; outside a sandbox
 * they do nothing harmful either.
 */
import type { FixtureProject } from "../harness/types.ts";
import { importPayload, setupPayload } from "./packages.ts";

/** Runs `call` in a forked child, which exits right after; the parent waits for it. */
const IN_CHILD = "import os\ndef _in_child(call):\n    pid = os.fork()\n    if pid == 0:\n        try:\n            call()\n        finally:\n            os._exit(0)\n    os.waitpid(pid, 0)\n";
const LIBC = "import ctypes, platform\n_libc = ctypes.CDLL(None, use_errno=True)\n";

export interface ChannelCase {
  title: string;
  project: FixtureProject;
  name: string;
  phase: "fetch" | "import";
  ruleId: string;
  /** The call the finding must name. */
  syscall: string;
}

function importCase(title: string, name: string, ruleId: string, syscall: string, body: string): ChannelCase {
  const module = name.replaceAll("-", "_");
  return { title, project: importPayload(name, module, body), name, phase: "import", ruleId, syscall };
}

export const CHANNEL_CASES: ChannelCase[] = [
  importCase("io_uring through a raw syscall", "chan-uring", "sandbox-io-uring", "io_uring_setup",
    `${LIBC}import os\n_params = ctypes.create_string_buffer(120)\n_fd = _libc.syscall(425, 1, _params)\nif _fd >= 0:\n    os.close(_fd)\n`),
  importCase("a new user namespace through libc.unshare", "chan-unshare", "sandbox-namespace", "unshare",
    `${LIBC}${IN_CHILD}_in_child(lambda: _libc.unshare(0x10000000))\n`),
  importCase("clone with CLONE_UNTRACED", "chan-untraced", "sandbox-untraced-clone", "clone",
    // A raw clone with no new stack behaves like fork: the child returns 0 and exits at once.
    `${LIBC}import os\n_nr = 220 if platform.machine() == 'aarch64' else 56\n_pid = _libc.syscall(_nr, 0x00800000 | 17, 0, 0, 0, 0)\nif _pid == 0:\n    os._exit(0)\nif _pid > 0:\n    os.waitpid(_pid, 0)\n`),
  importCase("ptrace(PTRACE_TRACEME) as a tracer check", "chan-ptrace", "sandbox-process-access", "ptrace",
    `${LIBC}${IN_CHILD}_in_child(lambda: _libc.ptrace(0, 0, 0, 0))\n`),
  importCase("process_vm_readv of its own memory", "chan-vmread", "sandbox-process-access", "process_vm_readv",
    `${LIBC}import os\nclass _Iovec(ctypes.Structure):\n    _fields_ = [('base', ctypes.c_void_p), ('len', ctypes.c_size_t)]\n_src = ctypes.create_string_buffer(b'harmless', 16)\n_dst = ctypes.create_string_buffer(16)\n_local = _Iovec(ctypes.cast(_dst, ctypes.c_void_p), 16)\n_remote = _Iovec(ctypes.cast(_src, ctypes.c_void_p), 16)\n_libc.process_vm_readv(os.getpid(), ctypes.byref(_local), 1, ctypes.byref(_remote), 1, 0)\n`),
  importCase("its own memory file in /proc", "chan-procmem", "process-memory", "openat", "open('/proc/self/mem', 'rb').close()\n"),
  importCase("a program run from a memfd", "chan-memfd", "memfd-exec", "execve",
    "import os, subprocess\n_fd = os.memfd_create('worker', 0)\nwith open('/bin/true', 'rb') as _true:\n    os.write(_fd, _true.read())\nsubprocess.run([f'/proc/self/fd/{_fd}'], pass_fds=(_fd,))\n"),
  // getpid through the x32 ABI: the same numbers with X32_SYSCALL_BIT, which only x86_64 has.
  ...(process.arch === "x64"
    ? [importCase("a call through the x32 ABI", "chan-x32", "sandbox-foreign-abi", "x32:getpid", `${LIBC}_libc.syscall(0x40000000 + 39)\n`)]
    : []),
  {
    title: "io_uring from setup.py while pip builds the sdist's metadata",
    project: setupPayload("chan-setup", "chan_setup",
      `${LIBC}_libc.syscall(425, 1, ctypes.create_string_buffer(120))\nfrom setuptools import setup\nsetup(name='chan-setup', version='1.0', packages=['chan_setup'])\n`),
    name: "chan-setup",
    phase: "fetch",
    ruleId: "sandbox-io-uring",
    syscall: "io_uring_setup",
  },
];

/** Look-alikes that use forks, threads, libraries, subprocesses and memfds the ordinary way. */
export const CHANNEL_BENIGN_PROJECTS: FixtureProject[] = [
  importPayload("calm-pool", "calm_pool",
    "import os, threading\nfrom concurrent.futures import ThreadPoolExecutor\n" +
    "_pids = []\nfor _ in range(3):\n    _pid = os.fork()\n    if _pid == 0:\n        os._exit(0)\n    _pids.append(_pid)\nfor _pid in _pids:\n    os.waitpid(_pid, 0)\n" +
    "with ThreadPoolExecutor(max_workers=3) as _pool:\n    SQUARES = list(_pool.map(lambda x: x * x, range(6)))\n" +
    "_thread = threading.Thread(target=lambda: None)\n_thread.start()\n_thread.join()\n"),
  importPayload("calm-libs", "calm_libs",
    "import ctypes.util, os, shutil, subprocess\nLIBC = ctypes.util.find_library('c')\n" +
    "_git = shutil.which('git')\nVERSION = subprocess.run([_git, '--version'] if _git else ['/bin/true'], capture_output=True).returncode\n" +
    "_fd = os.memfd_create('calm-buffer', os.MFD_CLOEXEC)\nos.write(_fd, b'scratch')\nos.close(_fd)\n"),
];

export const CHANNEL_BENIGN_REQUESTS = ["calm-pool", "calm-libs"];
