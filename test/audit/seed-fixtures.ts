import type { Requirement } from "../../src/core/requirements.ts";
import { normalizeName } from "../../src/core/names.ts";
import type { FixtureProject, FixtureVulnerability } from "../harness/types.ts";
import { fakeFile, wheelRelease } from "../index/fixture-data.ts";

/**
 * The packages behind the seeds' example outputs (seed 000 and 001): names, versions, upload
 * times and vulnerability ids as the seeds print them, plus distractors that a correct
 * suggestion must skip (yanked, prerelease, requires-python, too recent).
 */

const vuln = (id: string, fixedIn: string[], extra: Partial<FixtureVulnerability> = {}): FixtureVulnerability => ({ id, fixedIn, ...extra });

export const PYGMENTS_VULNERABILITIES = [
  vuln("PYSEC-2021-141", ["2.7.4"], { aliases: ["CVE-2021-27291"] }),
  vuln("GHSA-pq64-v7f5-gqh8", ["2.7.4"], { aliases: ["CVE-2021-27291"] }),
  vuln("PYSEC-2023-117", ["2.15.1"], { aliases: ["CVE-2022-40896"] }),
  vuln("GHSA-mrwq-x4v8-fh7p", ["2.15.0"], { aliases: ["CVE-2022-40896"] }),
  vuln("GHSA-5239-wwwm-4pmq", ["2.20.0"], { aliases: ["CVE-2025-1476"] }),
  vuln("GHSA-xxxx-withdrawn", ["2.0"], { withdrawn: "2024-01-01T00:00:00Z" }),
];

export const WERKZEUG_2_3_6_VULNERABILITIES = [
  vuln("GHSA-hrfv-mqp8-q5rw", ["3.0.1", "2.3.8"], { aliases: ["CVE-2023-46136"] }),
  vuln("PYSEC-2023-221", ["2.3.8", "3.0.1"], { aliases: ["CVE-2023-46136"] }),
  vuln("GHSA-2g68-c3qc-8985", ["3.0.3"], { aliases: ["CVE-2024-34069"] }),
  vuln("GHSA-f9vj-2wh5-fj8j", ["3.0.6"], { aliases: ["CVE-2024-49766"] }),
  vuln("GHSA-q34m-jh98-gwm2", ["3.0.6"], { aliases: ["CVE-2024-49767"] }),
  vuln("GHSA-hgf8-39gv-g3f2", ["3.1.4"], { aliases: ["CVE-2025-66221"] }),
  vuln("GHSA-87hc-h4r5-73f7", ["3.1.5"], { aliases: ["CVE-2026-21860"] }),
  vuln("GHSA-29vq-49wr-vm6x", ["3.1.6"], { aliases: ["CVE-2026-27199"] }),
];

/** Seed 000/001 "Known vulnerabilities detected": 9 packages, two of them vulnerable. */
export const VULNERABLE_SET: FixtureProject[] = [
  {
    name: "Flask",
    releases: [
      wheelRelease("Flask", "3.1.2", "2025-08-19T21:03:21Z", {
        vulnerabilities: [vuln("GHSA-68rp-wp8r-4726", ["3.1.3"], { aliases: ["CVE-2026-27205"] })],
      }),
      wheelRelease("Flask", "3.1.3", "2025-08-20T10:00:00Z"),
    ],
  },
  { name: "Pygments", releases: [wheelRelease("Pygments", "1.1", "2009-09-15T10:00:00Z", { vulnerabilities: PYGMENTS_VULNERABILITIES })] },
  { name: "blinker", releases: [wheelRelease("blinker", "1.9.0", "2024-11-08T17:25:46Z")] },
  { name: "click", releases: [wheelRelease("click", "8.3.0", "2025-09-18T17:32:22Z")] },
  { name: "itsdangerous", releases: [wheelRelease("itsdangerous", "2.2.0", "2024-04-16T21:28:14Z")] },
  { name: "Jinja2", releases: [wheelRelease("Jinja2", "3.1.6", "2025-03-05T20:05:00Z")] },
  { name: "colorama", releases: [wheelRelease("colorama", "0.4.6", "2022-10-25T02:36:20Z")] },
  { name: "idna", releases: [wheelRelease("idna", "3.10", "2024-09-15T18:07:37Z")] },
  { name: "certifi", releases: [wheelRelease("certifi", "2025.8.3", "2025-08-03T03:07:45Z")] },
];

export const VULNERABLE_PINS: Array<[string, string]> = [
  ["Flask", "3.1.2"],
  ["Pygments", "1.1"],
  ["blinker", "1.9.0"],
  ["click", "8.3.0"],
  ["itsdangerous", "2.2.0"],
  ["Jinja2", "3.1.6"],
  ["colorama", "0.4.6"],
  ["idna", "3.10"],
  ["certifi", "2025.8.3"],
];

export const SEED_000_VULNERABILITIES = `Auditing 9 packages...
Package Flask:3.1.2 has known vulnerabilities: GHSA-68rp-wp8r-4726 (fixed in 3.1.3).
Package Pygments:1.1 has known vulnerabilities: PYSEC-2021-141 (fixed in 2.7.4), GHSA-pq64-v7f5-gqh8 (fixed in 2.7.4), PYSEC-2023-117 (fixed in 2.15.1), GHSA-mrwq-x4v8-fh7p (fixed in 2.15.0), GHSA-5239-wwwm-4pmq (fixed in 2.20.0).
Summary:
  - Vulnerabilities in the following package(s) were found: Flask:3.1.2, Pygments:1.1.
`;

/** Seed 000/001 "Recently uploaded packages": three packages, two too recent. */
export const RECENT_SET: FixtureProject[] = [
  {
    name: "MarkupSafe",
    releases: [
      wheelRelease("MarkupSafe", "2.1.2", "2023-01-17T18:08:12Z"),
      wheelRelease("MarkupSafe", "2.1.3", "2023-06-02T21:19:35Z"),
      wheelRelease("MarkupSafe", "2.1.4", "2024-01-19T20:36:19Z", { file: { yanked: "broken wheel" } }),
      wheelRelease("MarkupSafe", "3.0.0rc1", "2024-09-20T00:00:00Z"),
      wheelRelease("MarkupSafe", "3.0.2", "2024-10-18T15:21:02Z", { file: { requiresPython: ">=3.12" } }),
      {
        version: "3.0.3",
        files: [
          fakeFile("markupsafe-3.0.3-cp311-cp311-manylinux_2_17_x86_64.whl", "2025-09-27T18:36:02.123456Z"),
          fakeFile("markupsafe-3.0.3.tar.gz", "2025-09-27T18:37:40.654321Z"),
          fakeFile("markupsafe-3.0.3-cp312-cp312-win32.whl", "2025-09-28T10:00:00Z", { yanked: "uploaded by mistake" }),
        ],
      },
    ],
  },
  {
    name: "Werkzeug",
    releases: [
      wheelRelease("Werkzeug", "2.3.5", "2023-06-07T20:00:00Z"),
      wheelRelease("Werkzeug", "2.3.6", "2023-06-08T17:00:00Z", { vulnerabilities: WERKZEUG_2_3_6_VULNERABILITIES }),
      wheelRelease("Werkzeug", "3.0.0", "2023-09-30T14:36:10Z", { file: { requiresPython: ">=3.12" } }),
      wheelRelease("Werkzeug", "3.1.7", "2025-09-30T12:00:00Z"),
      wheelRelease("Werkzeug", "3.1.8", "2026-04-02T18:49:14.870Z"),
    ],
  },
  { name: "Flask", releases: [wheelRelease("Flask", "3.1.3", "2025-08-20T10:00:00Z")] },
];

export const RECENT_PINS: Array<[string, string]> = [
  ["MarkupSafe", "3.0.3"],
  ["Werkzeug", "3.1.8"],
  ["Flask", "3.1.3"],
];

/** The clock and limits under which RECENT_SET reproduces the seed: nothing after 2025-09-20 is trusted. */
export const SEED_NOW = new Date("2026-04-05T00:00:00Z");
export const SEED_MAX_UPLOAD_TIME = new Date("2025-09-20T00:00:00Z");
export const SEED_PYTHON = "3.11.7";

export const SEED_000_RECENT = `Auditing 3 packages...
Package MarkupSafe 3.0.3 was updated too recently: 2025-09-27T18:37:40.
  - Consider MarkupSafe<=2.1.3 which has no known vulnerabilities
  - If you are certain that the latest upload is secure, add the following argument: --allow-upload-time='MarkupSafe<=2025-09-27T18:37:40'
Package Werkzeug 3.1.8 was updated too recently: 2026-04-02T18:49:14.
  - The next suitable release Werkzeug: 2.3.6 has known vulnerabilities though: GHSA-hrfv-mqp8-q5rw (fixed in 3.0.1, 2.3.8), PYSEC-2023-221 (fixed in 2.3.8, 3.0.1), GHSA-2g68-c3qc-8985 (fixed in 3.0.3), GHSA-f9vj-2wh5-fj8j (fixed in 3.0.6), GHSA-q34m-jh98-gwm2 (fixed in 3.0.6), GHSA-hgf8-39gv-g3f2 (fixed in 3.1.4), GHSA-87hc-h4r5-73f7 (fixed in 3.1.5), GHSA-29vq-49wr-vm6x (fixed in 3.1.6)
  - If you are certain that the latest upload is secure, add the following argument: --allow-upload-time='Werkzeug<=2026-04-02T18:49:14'
Summary:
  - The following package(s) were uploaded too recently: MarkupSafe, Werkzeug.
`;

/** A `NAME==VERSION` requirement as the inputs stage would hand it over. */
export function pin(name: string, version: string, line = 1, file = "requirements.txt"): Requirement {
  return {
    name,
    normalizedName: normalizeName(name),
    extras: [],
    specifier: `==${version}`,
    url: undefined,
    marker: undefined,
    markerText: undefined,
    hashes: [],
    origin: { file, line },
    constraint: false,
  };
}

export function pins(list: ReadonlyArray<[string, string]>): Requirement[] {
  return list.map(([name, version], index) => pin(name, version, index + 1));
}
