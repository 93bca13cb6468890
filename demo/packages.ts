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
