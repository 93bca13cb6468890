/*
 * Test packages for the exercise step: payloads that run on use rather than on import, and writes
 * into the installed environment. Harmless like those of packages.ts: they read and discard, and
 * the writes are aimed at the scan's own venv (read-only in the sandbox).
 */
import type { FixtureProject } from "../harness/types.ts";
import { buildWheel } from "../harness/wheel.ts";
import { project } from "./helpers.ts";
import { importPayload, type MaliciousCase, READ_AND_DISCARD } from "./packages.ts";

const HEADER = `import os\n${READ_AND_DISCARD}`;

/** A wheel of several files, with optional entry_points.txt. */
export function wheel(name: string, files: Record<string, string>, extra: Partial<Parameters<typeof buildWheel>[0]> = {}): FixtureProject {
  return project(name, "1.0", buildWheel({ name, version: "1.0", files, ...extra }));
}

function entryPoints(text: string): Partial<Parameters<typeof buildWheel>[0]> {
  return { distInfo: { "entry_points.txt": text } };
}

/** One case per way a payload used to escape an import of the top-level package only. */
export const EXERCISE_CASES: MaliciousCase[] = [
  {
    title: "payload in a submodule the package never imports",
    projects: [wheel("evil-sub", { "evil_sub/__init__.py": "", "evil_sub/hidden.py": `${HEADER}_touch(os.path.expanduser('~/.ssh/id_rsa'))\n` })],
    request: "evil-sub",
    package: "evil-sub",
    phase: "import",
    ruleId: "ssh",
    subject: "~/.ssh/id_rsa",
  },
  {
    title: "payload behind a console script, run with --help",
    projects: [
      wheel(
        "evil-cli",
        { "evil_cli/__init__.py": "", "evil_cli/cli.py": `${HEADER}def main():\n    _touch(os.path.expanduser('~/.aws/credentials'))\n` },
        entryPoints("[console_scripts]\nevil-cli = evil_cli.cli:main\n"),
      ),
    ],
    request: "evil-cli",
    package: "evil-cli",
    phase: "import",
    ruleId: "aws",
    subject: "~/.aws/credentials",
  },
  {
    title: "payload in a plugin entry point, run when the entry point is loaded",
    projects: [
      wheel(
        "evil-plugin",
        {
          "evil_plugin/__init__.py": "",
          // Only resolving the attribute runs it, as a plugin host's ep.load() does.
          "evil_plugin/hooks.py": `${HEADER}def __getattr__(name):\n    if name == 'Plugin':\n        _touch(os.path.expanduser('~/.docker/config.json'))\n    raise AttributeError(name)\n`,
        },
        entryPoints("[some_host.plugins]\nevil = evil_plugin.hooks:Plugin\n"),
      ),
    ],
    request: "evil-plugin",
    package: "evil-plugin",
    phase: "import",
    ruleId: "docker-config",
    subject: "~/.docker/config.json",
  },
  {
    title: "payload in an atexit handler",
    projects: [importPayload("evil-atexit", "evil_atexit", `import atexit\n${HEADER}atexit.register(_touch, os.path.expanduser('~/.npmrc'))\n`)],
    request: "evil-atexit",
    package: "evil-atexit",
    phase: "import",
    ruleId: "npm",
    subject: "~/.npmrc",
  },
  {
    title: "payload in a threading.Timer firing 2 s after import",
    projects: [
      importPayload("evil-timer", "evil_timer", `import threading\n${HEADER}threading.Timer(2.0, _touch, [os.path.expanduser('~/.kube/config')]).start()\n`),
    ],
    request: "evil-timer",
    package: "evil-timer",
    phase: "import",
    ruleId: "kube",
    subject: "~/.kube/config",
  },
  {
    title: "payload that stays dormant under -I, -S or a driver in the argv",
    projects: [
      importPayload("evil-flags", "evil_flags", [
        "import sys",
        HEADER,
        "with open('/proc/self/cmdline', 'rb') as handle:",
        "    argv = handle.read().split(b'\\0')",
        "scanned = sys.flags.isolated or sys.flags.no_site or sys.flags.ignore_environment",
        "scanned = scanned or any(arg in (b'-I', b'-S') or b'driver' in arg for arg in argv)",
        "if not scanned:",
        "    _touch(os.path.expanduser('~/.git-credentials'))",
        "",
      ].join("\n")),
    ],
    request: "evil-flags",
    package: "evil-flags",
    phase: "import",
    ruleId: "git-credentials",
    subject: "~/.git-credentials",
  },
  {
    title: "sitecustomize.py dropped into site-packages at import",
    projects: [
      importPayload("evil-sitecustom", "evil_sitecustom", [
        "import os",
        "site_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))",
        "try:",
        "    with open(os.path.join(site_dir, 'sitecustomize.py'), 'w') as handle:",
        "        handle.write('# evil-sitecustom was here\\n')",
        "except OSError:",
        "    pass",
        "",
      ].join("\n")),
    ],
    request: "evil-sitecustom",
    package: "evil-sitecustom",
    phase: "import",
    ruleId: "venv-tampering",
    subject: /\/venv\/lib\/python3\.\d+\/site-packages\/sitecustomize\.py$/,
  },
  {
    title: ".pth file dropped into site-packages at import",
    projects: [
      importPayload("evil-pthdrop", "evil_pthdrop", [
        "import os",
        "site_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))",
        "try:",
        "    with open(os.path.join(site_dir, 'zz_evil.pth'), 'w') as handle:",
        "        handle.write('import os\\n')",
        "except OSError:",
        "    pass",
        "",
      ].join("\n")),
    ],
    request: "evil-pthdrop",
    package: "evil-pthdrop",
    phase: "import",
    ruleId: "venv-tampering",
    subject: /\/venv\/lib\/python3\.\d+\/site-packages\/zz_evil\.pth$/,
  },
  {
    title: "package patching another installed package at import is blamed, not its victim",
    projects: [
      wheel("victim-b", { "victim_b/__init__.py": "VALUE = 1\n" }),
      wheel(
        "evil-a",
        {
          "evil_a/__init__.py": [
            "import os, victim_b",
            "try:",
            "    with open(victim_b.__file__, 'a') as handle:",
            "        handle.write('\\nimport os; open(os.path.expanduser(\"~/.ssh/id_rsa\"), \"rb\").read()\\n')",
            "except OSError:",
            "    pass",
            "",
          ].join("\n"),
        },
        { requires: ["victim-b"] },
      ),
    ],
    request: "evil-a",
    package: "evil-a",
    phase: "import",
    ruleId: "venv-tampering",
    subject: /\/venv\/lib\/python3\.\d+\/site-packages\/victim_b\/__init__\.py$/,
  },
];

/** Look-alikes of the cases above that must stay clean, all exercised in one scan. */
export const EXERCISE_BENIGN_PROJECTS: FixtureProject[] = [
  wheel(
    "good-cli",
    {
      "good_cli/__init__.py": "",
      "good_cli/cli.py": "import argparse\ndef main():\n    parser = argparse.ArgumentParser(prog='good-cli')\n    parser.add_argument('--version', action='version', version='1.0')\n    parser.parse_args()\n",
    },
    entryPoints("[console_scripts]\ngood-cli = good_cli.cli:main\n"),
  ),
  wheel("good-pool", {
    "good_pool/__init__.py": "import multiprocessing\nwith multiprocessing.get_context('fork').Pool(2) as pool:\n    SQUARES = pool.map(abs, [-1, -2, -3])\n",
  }),
  wheel("good-thread", {
    "good_thread/__init__.py": "import threading, time\nthreading.Thread(target=time.sleep, args=(0.5,)).start()\n",
  }),
  wheel("good-optional", {
    "good_optional/__init__.py": "VALUE = 1\n",
    "good_optional/extra.py": "import good_optional_missing_dependency\n",
  }),
];

export const EXERCISE_BENIGN_REQUESTS = ["good-cli", "good-pool", "good-thread", "good-optional"];
