import { readdirSync, readFileSync } from "node:fs";
import { normalizeName } from "../../src/core/names.ts";
import type { Requirement, RequirementSet } from "../../src/core/requirements.ts";
import type { ScanOptions, ScanResult } from "../../src/pipeline/scan.ts";
import { runScan } from "../../src/run/orchestrator.ts";
import { buildToolProjects } from "../harness/build-tools.ts";
import { startIndexServer } from "../harness/index-server.ts";
import type { FixtureFile, FixtureProject, IndexServer } from "../harness/types.ts";

/** A plain `name` (or `name<spec>`) requirement as the inputs stage would produce it. */
export function requirement(name: string, specifier = ""): Requirement {
  return {
    name,
    normalizedName: normalizeName(name),
    extras: [],
    specifier,
    url: undefined,
    marker: undefined,
    markerText: undefined,
    hashes: [],
    origin: { file: "requirements.txt", line: 1 },
    constraint: false,
  };
}

export function requirementSet(index: IndexServer, names: string[]): RequirementSet {
  return {
    requirements: names.map((name) => requirement(name)),
    index: { indexUrl: index.simpleUrl, extraIndexUrls: [], findLinks: [], pre: false, onlyBinary: [] },
  };
}

/** One project with one release of one file. */
export function project(name: string, version: string, file: FixtureFile): FixtureProject {
  return { name, releases: [{ version, files: [file] }] };
}

/** A fixture index with setuptools and wheel (for sdist builds) plus the given projects. */
export function startIndex(projects: FixtureProject[]): Promise<IndexServer> {
  return startIndexServer([...buildToolProjects(), ...projects]);
}

/** Quiet scan options rooted in a test-owned temp dir, so leftovers can be checked exactly. */
export function scanOptions(temporaryDirectory: string, extra: ScanOptions = {}): ScanOptions {
  return { temporaryDirectory, progress: () => {}, ...extra };
}

export async function scan(index: IndexServer, names: string[], temporaryDirectory: string, extra: ScanOptions = {}): Promise<ScanResult> {
  return runScan(requirementSet(index, names), scanOptions(temporaryDirectory, extra));
}

/** Pids of live processes whose command line mentions `marker` (a run's temp dir). */
export function processesMentioning(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let cmdline: string;
    let state: string;
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      state = readFileSync(`/proc/${entry}/stat`, "utf8").split(") ")[1]?.[0] ?? "";
    } catch {
      continue;
    }
    // A zombie waiting for its parent to reap it runs nothing; everything else counts.
    if (state !== "Z" && cmdline.includes(marker)) found.push(Number(entry));
  }
  return found;
}

/** Waits until no process mentions `marker` (the kernel needs a moment to tear a namespace down). */
export async function waitForNoProcesses(marker: string, timeoutMs = 5000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let left = processesMentioning(marker);
  while (left.length > 0 && Date.now() < deadline) {
    await Bun.sleep(50);
    left = processesMentioning(marker);
  }
  return left;
}
