import { rmSync } from "node:fs";
import { join } from "node:path";
import { eq as versionsEqual } from "@renovatebot/pep440";
import { onCleanup } from "../core/cleanup.ts";
import type { Artifact, InstalledDistribution } from "../core/artifact.ts";
import type { RequirementSet } from "../core/requirements.ts";
import { compileRules } from "../match/matcher.ts";
import type { Finding } from "../core/finding.ts";
import { loadBuiltinRulePacks } from "../rules/builtin.ts";
import { dynamicRules } from "../rules/loader.ts";
import { createSandboxEnvironment } from "../sandbox/environment.ts";
import { detectHostPython, requireSandboxTools } from "../sandbox/host-python.ts";
import type { SpawnFunction } from "../static/python/extractor.ts";
import { DEFAULT_GRACE_SECONDS, type ScanContext, type ScanOptions } from "./context.ts";
import { fetchPhase } from "./fetch-phase.ts";
import { importPhase } from "./import-phase.ts";
import { readVenvDistributions, type VenvDistribution, venvSitePackages } from "./installed.ts";
import { installPhase } from "./install-phase.ts";
import { PhaseRunner } from "./phase-runner.ts";
import { stderrProgress } from "./progress.ts";
import { RawTraceWriter } from "./raw-trace.ts";
import { untracedSandboxSpawn } from "./static-sandbox.ts";

export type { ScanOptions } from "./context.ts";
export { DEFAULT_EXERCISE_SECONDS, DEFAULT_GRACE_SECONDS, DEFAULT_TIMEOUTS } from "./context.ts";

/** How the static scan runs its fact extractor: inside this run's sandbox, without network. */
export interface StaticScanSandbox {
  /** Runs a command in a fresh sandbox with the run's mounts and environment. */
  spawn: SpawnFunction;
  /** The interpreter's path inside (and outside) the sandbox. */
  python: string;
}

export interface ScanHooks {
  /** Runs between fetch and install on every downloaded file; a blocking finding stops the scan. */
  staticScan?: (artifacts: Artifact[], sandbox: StaticScanSandbox) => Promise<Finding[]>;
}

export interface ScanResult {
  /** Every finding, in the order seen; the scan stopped at the first blocking one. */
  findings: Finding[];
  blocked: boolean;
  /** What the requirement set installed, with the artifacts (and sha256) it came from. */
  installed: InstalledDistribution[];
  /** Every file pip downloaded for the requirement set. */
  artifacts: Artifact[];
  /** Build requirements of sdists (setuptools, wheel, …): downloaded and used, not installed. */
  buildArtifacts: Artifact[];
  /**
   * Removes the run's temp dir, artifacts included. The artifacts stay on disk for the caller
   * (lock, install) until then; the cleanup registry calls it on exit or a signal at the latest.
   */
  dispose: () => void;
}

function blockedBy(findings: readonly Finding[]): boolean {
  return findings.some((finding) => finding.severity === "block");
}

function installedDistributions(distributions: VenvDistribution[], artifacts: Artifact[], set: RequirementSet): InstalledDistribution[] {
  const direct = new Set(set.requirements.filter((requirement) => !requirement.constraint).map((requirement) => requirement.normalizedName));
  return distributions.map((distribution) => ({
    name: distribution.name,
    version: distribution.version,
    artifacts: artifacts.filter((artifact) => artifact.name === distribution.name && sameVersion(artifact.version, distribution.version)),
    direct: direct.has(distribution.name),
  }));
}

function sameVersion(a: string, b: string): boolean {
  try {
    return a === b || versionsEqual(a, b);
  } catch {
    return false;
  }
}

/** Blame for builds of `name @ url` requirements, whose build dir carries no name. */
function urlBuildPackage(set: RequirementSet): string | undefined {
  const names = [...new Set(set.requirements.filter((requirement) => requirement.url !== undefined).map((requirement) => requirement.normalizedName))];
  return names.length === 0 ? undefined : names.join(" or ");
}

/**
 * The behavioural scan: fetch (pip download through the egress proxy), the caller's static scan,
 * install (offline, into a fresh venv) and import (one process per distribution), each in its own
 * traced sandbox. Stops at the first blocking finding, with the sandbox killed and every temp dir
 * removed. Throws PipcanaryError subclasses for missing tools, pip failures and timeouts.
 */
export async function runScan(set: RequirementSet, options: ScanOptions = {}, hooks: ScanHooks = {}): Promise<ScanResult> {
  // Looked up while the sandbox is prepared; awaited before the fetch phase starts.
  const pinnedMalware = options.knownMalware?.pinned();
  pinnedMalware?.catch(() => {});
  const tools = requireSandboxTools();
  const python = detectHostPython(options.python);
  const environment = createSandboxEnvironment({
    python,
    temporaryDirectory: options.temporaryDirectory,
    home: options.home,
    passEnv: options.passEnv,
  });
  const rawTrace = options.traceFile ? new RawTraceWriter(options.traceFile) : undefined;
  const unregisterTrace = rawTrace ? onCleanup(() => rawTrace.close()) : () => {};
  const dispose = () => environment.release();
  const finish = () => {
    unregisterTrace();
    rawTrace?.close();
  };
  const context: ScanContext = {
    environment,
    options,
    progress: options.progress ?? stderrProgress,
    findings: [],
    runner: new PhaseRunner({
      environment,
      tools,
      matcher: compileRules(options.rules ?? dynamicRules(loadBuiltinRulePacks()), {
        home: environment.home,
        roots: { $WORK: [environment.workDir], $PYTHON: [...new Set([environment.python.prefix, ...environment.python.bindRoots])] },
      }),
      graceSeconds: options.graceSeconds ?? DEFAULT_GRACE_SECONDS,
      rawTrace,
      urlBuildPackage: urlBuildPackage(set),
    }),
  };
  const stopped = (artifacts: Artifact[] = [], buildArtifacts: Artifact[] = []): ScanResult => {
    dispose();
    return { findings: context.findings, blocked: true, installed: [], artifacts, buildArtifacts, dispose };
  };
  try {
    if (pinnedMalware) {
      context.findings.push(...(await pinnedMalware));
      if (blockedBy(context.findings)) return stopped();
    }
    const fetched = await fetchPhase(context, set);
    if (!fetched) return stopped();
    const { artifacts, buildArtifacts } = fetched;

    if (hooks.staticScan) {
      context.progress(`Scanning ${artifacts.length + buildArtifacts.length} archive(s) statically…`);
      const sandbox: StaticScanSandbox = {
        spawn: untracedSandboxSpawn({ tools, mounts: environment.mounts, env: environment.env, controlDir: environment.controlDir }),
        python: python.executable,
      };
      context.findings.push(...(await hooks.staticScan([...artifacts, ...buildArtifacts], sandbox)));
      if (blockedBy(context.findings)) return stopped(artifacts, buildArtifacts);
    }

    const venv = join(environment.workDir, "venv");
    // i10-speed: sdists are built into wheels (traced), then all wheels are installed untraced; the artifacts
    // returned carry the built wheels (`builtWheel`) and replace the downloaded list from here on.
    const installedFrom = await installPhase(context, set, artifacts, venv, tools);
    if (!installedFrom) return stopped(artifacts, buildArtifacts);

    const sitePackages = venvSitePackages(venv, python.version, environment.workDir);
    const distributions = readVenvDistributions(sitePackages, environment.workDir);
    if (!(await importPhase(context, venv, distributions))) return stopped(artifacts, buildArtifacts);

    rmSync(venv, { recursive: true, force: true });
    return {
      findings: context.findings,
      blocked: false,
      installed: installedDistributions(distributions, installedFrom, set),
      artifacts: installedFrom,
      buildArtifacts,
      dispose,
    };
  } catch (error) {
    dispose();
    throw error;
  } finally {
    finish();
  }
}
