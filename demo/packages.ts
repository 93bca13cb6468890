import { buildSdist } from "../test/harness/sdist.ts";
import type { BuiltFile, FixtureFile, FixtureProject, FixtureVulnerability } from "../test/harness/types.ts";
import { buildWheel } from "../test/harness/wheel.ts";

/**
 * The packages of the bundled demo index. One entry per released file; entries with the same name
 * become releases of one project. Upload times are relative to the moment the index starts, so the
 * demo's cool-down verdicts never go stale.
 */
export interface DemoPackage {
  name: string;
  version: string;
  /** Builds the file; receives this entry's name and version. */
  build: (id: { name: string; version: string }) => BuiltFile;
  /** How long before "now" the file was uploaded. */
  uploadedDaysAgo: number;
  vulnerabilities?: FixtureVulnerability[];
  yanked?: boolean | string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** A wheel with one package whose `__init__.py` is the given lines. */
function demoWheel(id: { name: string; version: string }, summary: string, init: string[]): BuiltFile {
  return buildWheel({ ...id, summary, requiresPython: ">=3.8", files: { [`${id.name.replace(/-/g, "_")}/__init__.py`]: init.join("\n") } });
}

export const demoPackages: DemoPackage[] = [
  {
    name: "canary-demo-safe",
    version: "1.0.0",
    uploadedDaysAgo: 30,
    build: (id) =>
      buildWheel({
        ...id,
        summary: "A harmless demo package: greets, using canary-demo-utils",
        requires: ["canary-demo-utils>=0.3"],
        requiresPython: ">=3.8",
        files: {
          "canary_demo_safe/__init__.py": [
            "from canary_demo_utils import title",
            "",
            "",
            "def greet(name: str) -> str:",
            '    return f"Hello, {title(name)}!"',
            "",
          ].join("\n"),
        },
      }),
  },
  {
    name: "canary-demo-utils",
    version: "0.3.1",
    uploadedDaysAgo: 30,
    build: (id) =>
      buildSdist({
        ...id,
        summary: "A harmless demo package built from an sdist",
        requiresPython: ">=3.8",
        files: {
          "canary_demo_utils/__init__.py": ["def title(text: str) -> str:", "    return text.strip().title()", ""].join(
            "\n",
          ),
        },
      }),
  },
  {
    // Reads ~/.ssh/id_rsa when imported, through a path built at run time that no string constant
    // or path join reveals: only the behavioural scan can see it. Harmless anywhere: it opens,
    // reads and discards the bytes, and prints nothing.
    name: "canary-demo-stealer",
    version: "1.0.0",
    uploadedDaysAgo: 30,
    build: (id) =>
      demoWheel(id, "A demo 'stealer': its import reads your SSH private key (and discards it)", [
        "import os",
        "",
        "",
        "def _settings_path() -> str:",
        '    return os.path.expanduser("~") + os.sep + "asr_di/hss."[::-1]',
        "",
        "",
        "def _load_settings() -> None:",
        "    try:",
        '        with open(_settings_path(), "rb") as handle:',
        "            handle.read()",
        "    except OSError:",
        "        pass",
        "",
        "",
        "_load_settings()",
        "",
      ]),
  },
  {
    // A .pth start-up hook that executes base64-decoded code. The payload is only `import os`, but
    // the shape is what packed malware looks like, so the static scan blocks it before it runs.
    name: "canary-demo-obfuscated",
    version: "1.0.0",
    uploadedDaysAgo: 30,
    build: (id) =>
      buildWheel({
        ...id,
        summary: "A demo package with an obfuscated start-up hook",
        files: { "canary_demo_obfuscated/__init__.py": 'VERSION = "1.0.0"\n' },
        pth: { "canary_demo_obfuscated.pth": `import base64; exec(base64.b64decode("${btoa("import os")}"))\n` },
      }),
  },
  {
    name: "canary-demo-oldlib",
    version: "1.0.0",
    uploadedDaysAgo: 400,
    build: (id) => demoWheel(id, "A harmless demo package with a known vulnerability in this release", ['VERSION = "1.0.0"', ""]),
    vulnerabilities: [
      {
        id: "PYSEC-2026-0001",
        aliases: ["GHSA-demo-0001-0001"],
        fixedIn: ["1.1.0"],
        summary: "Demo vulnerability: canary-demo-oldlib 1.0.0 trusts unvalidated input",
        details: "A made-up advisory served by the pipcanary demo index, fixed in 1.1.0.",
      },
    ],
  },
  {
    name: "canary-demo-oldlib",
    version: "1.1.0",
    uploadedDaysAgo: 90,
    build: (id) => demoWheel(id, "A harmless demo package, the fixed release", ['VERSION = "1.1.0"', ""]),
  },
  {
    name: "canary-demo-fresh",
    version: "1.9.0",
    uploadedDaysAgo: 60,
    build: (id) => demoWheel(id, "A harmless demo package, an older release", ['VERSION = "1.9.0"', ""]),
  },
  {
    // Uploaded a day before the demo index started: inside the default 7-day cool-down.
    name: "canary-demo-fresh",
    version: "2.0.0",
    uploadedDaysAgo: 1,
    build: (id) => demoWheel(id, "A harmless demo package, released yesterday", ['VERSION = "2.0.0"', ""]),
  },
];

/** The demo packages as fixture projects, upload times counted back from `now`. */
export function demoProjects(now: Date = new Date(), packages: DemoPackage[] = demoPackages): FixtureProject[] {
  const projects = new Map<string, FixtureProject>();
  for (const entry of packages) {
    const file: FixtureFile = {
      ...entry.build({ name: entry.name, version: entry.version }),
      uploadTime: new Date(now.getTime() - entry.uploadedDaysAgo * DAY_MS).toISOString(),
    };
    if (entry.yanked !== undefined) file.yanked = entry.yanked;
    const project = projects.get(entry.name) ?? { name: entry.name, releases: [] };
    projects.set(entry.name, project);
    const release = project.releases.find((candidate) => candidate.version === entry.version);
    if (release) {
      release.files.push(file);
      if (entry.vulnerabilities) release.vulnerabilities = [...(release.vulnerabilities ?? []), ...entry.vulnerabilities];
    } else {
      project.releases.push({ version: entry.version, files: [file], vulnerabilities: entry.vulnerabilities ?? [] });
    }
  }
  return [...projects.values()];
}
