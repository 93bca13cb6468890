import { type RuleCase, wheelCase as wheel } from "./helpers.ts";

/**
 * Cases for the XOR decoders and the evasion rules (rules/static-evasion.yaml), scanned together
 * with the other static rule cases in rules.test.ts. The payloads only open and read files.
 */

/** `text` XORed with `key` (repeating), as a Python bytes literal. */
export function xorLiteral(text: string, key: number | string): string {
  const keyBytes = typeof key === "number" ? [key] : [...Buffer.from(key)];
  const bytes = [...Buffer.from(text)].map((byte, i) => byte ^ (keyBytes[i % keyBytes.length] as number));
  return `b'${bytes.map((byte) => `\\x${byte.toString(16).padStart(2, "0")}`).join("")}'`;
}

/** The same, as a Python str literal of the XORed characters. */
function xorStrLiteral(text: string, key: number): string {
  return `'${[...text].map((char) => `\\x${(char.charCodeAt(0) ^ key).toString(16).padStart(2, "0")}`).join("")}'`;
}

const SSH = "~/.ssh/id_rsa";
const AWS = ".aws/credentials";
const one = (name: string, source: string) => wheel(name, { [`${name}/__init__.py`]: source });

export const EVASION_CASES: RuleCase[] = [
  // --- XOR decoders fold into the credential and exec rules --------------------------------
  { rule: "static.credentials.read", label: "open(bytes(b ^ k for b in DATA)) with an int key", expect: "block", build: one("xorgen", `import os\nK = 0x5a\nDATA = ${xorLiteral(SSH, 0x5a)}\nwith open(os.path.expanduser(bytes(b ^ K for b in DATA).decode())) as f:\n    f.read()\n`) },
  { rule: "static.credentials.read", label: "bytearray([c ^ key for c in …]) list comprehension", expect: "block", build: one("xorlist", `key = 23\np = bytearray([c ^ key for c in ${xorLiteral(SSH, 23)}]).decode()\nopen(p).read()\n`) },
  { rule: "static.credentials.read", label: "''.join(chr(ord(c) ^ k) for c in s) read with pathlib", expect: "block", build: one("xorchr", `from pathlib import Path\nS = ${xorStrLiteral(`/root/${AWS}`, 7)}\nPath(''.join(chr(ord(c) ^ 7) for c in S)).read_text()\n`) },
  { rule: "static.credentials.read", label: "zip(data, itertools.cycle(key)) with a bytes key", expect: "block", build: one("xorcycle", `import itertools\nKEY = b'k3y'\nblob = ${xorLiteral(`~/${AWS}`, "k3y")}\npath = bytes(a ^ b for a, b in zip(blob, itertools.cycle(KEY))).decode()\nopen(path, 'rb').read()\n`) },
  { rule: "static.credentials.read", label: "key indexed with i % len(key) over enumerate", expect: "block", build: one("xorenum", `key = 'pw'\nd = ${xorLiteral(SSH, "pw")}\nopen(bytes(b ^ ord(key[i % len(key)]) for i, b in enumerate(d)))\n`) },
  { rule: "static.credentials.read", label: "base64 of XOR, through a one-line helper", expect: "block", build: one("xorb64", `import base64\n\ndef unmask(data, k):\n    return bytes(x ^ k for x in data)\n\nopen(base64.b64decode(unmask(${xorLiteral(Buffer.from(SSH).toString("base64"), 0x33)}, 0x33)))\n`) },
  { rule: "static.credentials.read", label: "XOR of base64 with map(operator.xor, …)", expect: "block", build: one("xormap", `import base64, itertools, operator\nraw = base64.b64decode('${Buffer.from(xorLiteralBytes(SSH, 9)).toString("base64")}')\nopen(bytes(map(operator.xor, raw, itertools.repeat(9))))\n`) },
  { rule: "static.credentials.path-constant", label: "XOR-decoded key path kept in a constant", expect: "warn", build: one("xorconst", `KEY_PATH = bytes(b ^ 1 for b in ${xorLiteral(SSH, 1)})\n`) },
  { rule: "static.credentials.read", label: "key taken from the environment: no fold, no crash", expect: "none", build: one("xorenv", `import os\nk = int(os.environ.get('K', '0'))\nopen(bytes(b ^ k for b in ${xorLiteral(SSH, 0x5a)}))\n`) },
  { rule: "static.credentials.read", label: "websocket masking of runtime data", expect: "none", build: one("wsmask", `def mask(key, data):\n    return bytes(b ^ key[i % 4] for i, b in enumerate(data))\n\ndef send(sock, key, data):\n    sock.send(mask(key, data))\n`) },
  { rule: "static.exec.decoded", label: "exec of XOR-decoded code", expect: "block", build: one("xorexec", `exec(bytes(b ^ 0x21 for b in ${xorLiteral("import os\nos.listdir('.')\n", 0x21)}))\n`) },
  { rule: "static.exec.decoded", label: "exec of XOR of data read at runtime", expect: "block", build: one("xorexec2", `import sys\nk = len(sys.argv)\nexec(bytes(b ^ k for b in open(__file__ + '.dat', 'rb').read()))\n`) },
  { rule: "static.exec.decoded", label: "XOR checksum next to a code loader", expect: "none", build: one("xorsum", `import functools, operator\n\ndef checksum(data):\n    return functools.reduce(operator.xor, data, 0)\n\ndef load(path):\n    exec(compile(open(path).read(), path, 'exec'))\n`) },

  // --- interpreter flags --------------------------------------------------------------------
  { rule: "static.evasion.interpreter-flags", label: "payload only when not isolated", expect: "warn", build: one("flagiso", `import sys\nif sys.flags.isolated or sys.flags.no_site:\n    pass\nelse:\n    open('/etc/hostname').read()\n`) },
  { rule: "static.evasion.interpreter-flags", label: "getattr on an alias, through a variable", expect: "warn", build: one("flagalias", `from sys import flags as f\nquiet = getattr(f, 'no_' + 'site')\nif not quiet:\n    open('/etc/hostname').read()\n`) },
  { rule: "static.evasion.interpreter-flags", label: "logging library reading optimize and dev_mode", expect: "none", build: one("flagopt", `import sys\nif sys.flags.optimize >= 2:\n    DOCS = False\nDEV = sys.flags.dev_mode\n`) },
  { rule: "static.evasion.interpreter-flags", label: "diagnostics dump of the flags", expect: "none", build: one("flagdump", `import sys\n\ndef info():\n    return {'isolated': sys.flags.isolated, 'no_site': sys.flags.no_site}\n`) },

  // --- tracer and debugger checks -----------------------------------------------------------
  { rule: "static.evasion.debugger-check", label: "payload only without a tracer", expect: "warn", build: one("gettrace", `import sys\nif sys.gettrace() is None:\n    open('/etc/hostname').read()\n`) },
  { rule: "static.evasion.debugger-check", label: "inside a function called at import", expect: "warn", build: one("boottrace", `import sys\n\ndef _boot():\n    if sys.gettrace() is None:\n        open('/etc/hostname').read()\n\n_boot()\n`) },
  { rule: "static.evasion.debugger-check", label: "a profiler saving and restoring the trace function", expect: "none", build: one("savetrace", `import sys\n\ndef run(fn):\n    old = sys.gettrace()\n    sys.settrace(None)\n    try:\n        return fn()\n    finally:\n        sys.settrace(old)\n`) },
  { rule: "static.evasion.tracer-pid", label: "TracerPid read from /proc/self/status", expect: "warn", build: one("tracerpid", `def traced():\n    with open('/proc/self/status') as f:\n        return any(l.startswith('TracerPid:') and l.split()[1] != '0' for l in f)\n\nif not traced():\n    pass\n`) },
  { rule: "static.evasion.tracer-pid", label: "a debugger helper that checks TracerPid when called", expect: "none", build: one("tracerlazy", `def attached():\n    for line in open('/proc/self/status'):\n        if line.startswith('TracerPid:'):\n            return line.split()[1] != '0'\n`) },
  { rule: "static.evasion.tracer-pid", label: "memory monitor reading VmRSS", expect: "none", build: one("vmrss", `def rss():\n    with open('/proc/self/status') as f:\n        for line in f:\n            if line.startswith('VmRSS:'):\n                return int(line.split()[1])\n`) },

  // --- container and scanner artefacts ------------------------------------------------------
  { rule: "static.evasion.sandbox-artifact", label: "/.dockerenv probed", expect: "warn", build: one("dockerenv", `import os\nIN_DOCKER = os.path.exists('/.dockerenv')\n`) },
  { rule: "static.evasion.sandbox-artifact", label: "PID 1's command line read", expect: "warn", build: one("pid1", `def init():\n    return open('/proc/1/cmdline', 'rb').read()\n\nINIT = init()\n`) },
  { rule: "static.evasion.sandbox-artifact", label: "cgroup CPU quota read at import", expect: "none", build: one("cgquota", `def cpu_count():\n    with open('/proc/self/cgroup') as f:\n        return len(f.read().splitlines())\n\nCPUS = cpu_count()\n`) },
  { rule: "static.evasion.sandbox-artifact", label: "PID 1's mounts read when called", expect: "none", build: one("dindcheck", `def in_docker():\n    with open('/proc/1/mountinfo', 'rb') as f:\n        return b'docker' in f.read()\n`) },
  { rule: "static.evasion.sandbox-artifact", label: "/.dockerenv in a help message", expect: "none", build: one("dockerhelp", `HELP = 'containers have /.dockerenv'\nPATHS = ['/.dockerenv', '/run/.containerenv']\n`) },
  { rule: "static.evasion.scanner-name", label: "bwrap looked for in PID 1's command line", expect: "warn", build: one("scanbwrap", `if 'bwrap' in open('/proc/1/cmdline').read():\n    raise SystemExit\n`) },
  { rule: "static.evasion.scanner-name", label: "shutil.which('strace') as a condition", expect: "warn", build: one("scanstrace", `import shutil\nif shutil.which('strace'):\n    pass\n`) },
  { rule: "static.evasion.scanner-name", label: "pipcanary looked for in the environment", expect: "warn", build: one("scanenv", `import os\nWATCHED = any('pipcanary' in v for v in os.environ.values())\n`) },
  { rule: "static.evasion.scanner-name", label: "tool names in a list and a docstring", expect: "none", build: one("scandoc", `"""Run under strace or bwrap to debug."""\nTOOLS = ['strace', 'ltrace', 'bwrap']\n`) },

  // --- raw syscalls -------------------------------------------------------------------------
  { rule: "static.evasion.raw-syscall", label: "libc.syscall through CDLL(None)", expect: "warn", build: one("rawsys", `import ctypes\nlibc = ctypes.CDLL(None)\nlibc.syscall(272, 0x10000000)\n`) },
  { rule: "static.evasion.raw-syscall", label: "unshare through getattr on a found libc", expect: "warn", build: one("rawunshare", `import ctypes, ctypes.util\nc = ctypes.CDLL(ctypes.util.find_library('c'))\ngetattr(c, 'un' + 'share')(0x10000000)\n`) },
  { rule: "static.evasion.raw-syscall", label: "ctypes.util.find_library and malloc_trim", expect: "none", build: one("rawbenign", `import ctypes, ctypes.util\nlibc = ctypes.CDLL(ctypes.util.find_library('c'))\nlibc.malloc_trim(0)\n`) },

  // --- delayed payloads ---------------------------------------------------------------------
  { rule: "static.evasion.delayed-payload", label: "@atexit.register handler listing the home folder", expect: "warn", build: one("atexitls", `import atexit, os\n\n@atexit.register\ndef _bye():\n    for name in os.listdir(os.path.expanduser('~')):\n        pass\n`) },
  { rule: "static.evasion.delayed-payload", label: "threading.Timer whose callee reads a file", expect: "warn", build: one("timerread", `import threading\n\ndef _later():\n    _read()\n\ndef _read():\n    open('/etc/hostname').read()\n\nthreading.Timer(3, _later).start()\n`) },
  { rule: "static.evasion.delayed-payload", label: "module-level thread with a connecting lambda", expect: "warn", build: one("threadsock", `import socket, threading\nthreading.Thread(target=lambda: socket.create_connection(('127.0.0.9', 9)), daemon=True).start()\n`) },
  { rule: "static.evasion.delayed-payload", label: "atexit removing a temp dir, flushing logs", expect: "none", build: one("atexitclean", `import atexit, logging, shutil, tempfile\nTMP = tempfile.mkdtemp()\natexit.register(shutil.rmtree, TMP, True)\n\ndef _flush():\n    logging.shutdown()\n\natexit.register(_flush)\n`) },
  { rule: "static.evasion.delayed-payload", label: "atexit handler writing a trace file", expect: "none", build: one("atexitwrite", `import atexit, json\nEVENTS = []\n\n@atexit.register\ndef _dump():\n    with open('trace.json', 'w') as f:\n        json.dump(EVENTS, f)\n`) },
  { rule: "static.evasion.delayed-payload", label: "timer handing a reader to a thread", expect: "warn", build: one("timerhand", `import threading\n\ndef _read():\n    with open('/etc/hostname') as f:\n        f.read()\n\ndef _later():\n    threading.Thread(target=_read).start()\n\nthreading.Timer(3, _later).start()\n`) },
  { rule: "static.evasion.delayed-payload", label: "script's thread under if __name__ == '__main__'", expect: "none", build: one("mainthread", `import threading\n\ndef _watch():\n    open('/proc/self/stat').read()\n\nif __name__ == '__main__':\n    threading.Thread(target=_watch, daemon=True).start()\n`) },
  { rule: "static.evasion.delayed-payload", label: "worker thread started on demand", expect: "none", build: one("threadlazy", `import threading\n\ndef _work(path):\n    return open(path).read()\n\ndef start(path):\n    threading.Thread(target=_work, args=(path,)).start()\n`) },

  // --- escalation next to a credential finding ---------------------------------------------
  { rule: "static.evasion.interpreter-flags", label: "flag check in the file that reads a token", expect: "block", build: one("flagtoken", `import os, sys\nif not sys.flags.isolated:\n    TOKEN = os.environ.get('GITHUB_TOKEN')\n`) },
  { rule: "static.evasion.interpreter-flags", label: "flag check and token read in different files", expect: "warn", build: wheel("flagapart", { "flagapart/__init__.py": "import sys\nif not sys.flags.isolated:\n    pass\n", "flagapart/auth.py": "import os\nTOKEN = os.environ.get('GITHUB_TOKEN')\n" }) },
];

function xorLiteralBytes(text: string, key: number): Uint8Array {
  return Uint8Array.from([...Buffer.from(text)].map((byte) => byte ^ key));
}
