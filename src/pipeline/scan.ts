import { rmSync } from "node:fs";
import { join } from "node:path";
import { eq as versionsEqual } from "@renovatebot/pep440";
import { onCleanup } from "../core/cleanup.ts";
import type { Artifact, InstalledDistribution } from "../core/artifact.ts";
import type { RequirementSet } from "../core/requirements.ts";
import { compileRules } from "../match/matcher.ts";
import type { Finding } from "../core/finding.ts";
import { loadRuleSet } from "../rules/rule-set.ts";
import type { VerdictOrigin } from "../cache/scan-seam.ts";
import type { EventStream } from "../events/stream.ts";
import { createSandboxEnvironment, type SandboxEnvironment } from "../sandbox/environment.ts";
import { detectHostPython, requireSandboxTools } from "../sandbox/host-python.ts";
import type { SpawnFunction } from "../static/python/extractor.ts";
import { DEFAULT_GRACE_SECONDS, type ScanContext, type ScanOptions } from "./context.ts";
import { fetchPhase } from "./fetch-phase.ts";
import { importPhase } from "./import-phase.ts";
import { readVenvDistributions, type VenvDistribution, venvSitePackages } from "./installed.ts";
import { installDownloadedWheels, installSdists } from "./install-phase.ts";
import { PhaseRunner } from "./phase-runner.ts";
import { RawTraceWriter } from "./raw-trace.ts";
import { untracedSandboxSpawn } from "./static-sandbox.ts";

export type { VenvDistribution } from "./installed.ts";
export type { ScanOptions } from "./context.ts";
export { DEFAULT_EXERCISE_SECONDS, DEFAULT_GRACE_SECONDS, DEFAULT_TIMEOUTS } from "./context.ts";

/** How the static scan runs its fact extractor: inside this run's sandbox, without network. */
export interface StaticScanSandbox {
  /** Runs a command in a fresh sandbox with the run's mounts and environment. */
  spawn: SpawnFunction;
  /** The interpreter's path inside (and outside) the sandbox. */
  python: string;
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
  /** Lines strace printed that the parser could not read (each was published as a `trace-problem` event). */
  traceProblems: number;
  /** Set when install and import were skipped for a behavioural verdict from the verdict cache. */
  verdictFromCache?: VerdictOrigin;
  /**
   * Removes the run's temp dir, artifacts included. The artifacts stay on disk for the caller
   * (lock, install) until then; the cleanup registry calls it on exit or a signal at the latest.
   */
  dispose: () => void;
}

/** The files the fetch phase downloaded. */
export interface Fetched {
  artifacts: Artifact[];
  buildArtifacts: Artifact[];
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
 * The sandboxed stages of one scan, each in its own sandbox of one run directory: fetch (pip
 * download through the egress proxy, traced), install (offline, into a fresh venv: the wheels
 * untraced, the sdists' builds traced) and import (one process per distribution, traced). The
 * orchestrator (src/run) calls them in order, the static scan (`staticSandbox` runs its
 * extractor) beside the wheels' install. A stage returns undefined when a blocking finding
 * stopped it (the sandbox is killed by then). Throws PipcanaryError subclasses for
 * missing tools, pip failures and timeouts.
 */
export class SandboxStages {
  readonly findings: Finding[];
  readonly staticSandbox: StaticScanSandbox;
  /** The interpreter the sandbox runs, and the decoy home: part of what a cached verdict is valid for. */
  readonly persona: { interpreter: { path: string; version: string }; home: string };
  private readonly environment: SandboxEnvironment;
  private readonly context: ScanContext;
  private readonly tools: { bwrap: string; strace: string };
  private readonly rawTrace: RawTraceWriter | undefined;
  private readonly unregisterTrace: () => void;

  constructor(
    private readonly set: RequirementSet,
    options: ScanOptions,
    events: EventStream,
  ) {
    const tools = requireSandboxTools();
    const python = detectHostPython(options.python);
    const environment = createSandboxEnvironment({ python, temporaryDirectory: options.temporaryDirectory, home: options.home, passEnv: options.passEnv });
    this.environment = environment;
    this.tools = tools;
    const rawTrace = options.traceFile ? new RawTraceWriter(options.traceFile) : undefined;
    this.rawTrace = rawTrace;
    this.unregisterTrace = rawTrace ? onCleanup(() => rawTrace.close()) : () => {};
    this.context = {
      environment,
      events,
      options,
      progress: (message) => events.progress(message),
      findings: [],
      runner: new PhaseRunner({
        environment,
        events,
        tools,
        matcher: compileRules(options.rules ?? loadRuleSet().dynamic, {
          home: environment.home,
          roots: { $WORK: [environment.workDir], $PYTHON: [...new Set([environment.python.prefix, ...environment.python.bindRoots])] },
        }),
        graceSeconds: options.graceSeconds ?? DEFAULT_GRACE_SECONDS,
        rawTrace,
        urlBuildPackage: urlBuildPackage(set),
      }),
    };
    this.findings = this.context.findings;
    this.persona = { interpreter: { path: python.executable, version: python.fullVersion }, home: environment.home };
    this.staticSandbox = {
      spawn: untracedSandboxSpawn({ tools, mounts: environment.mounts, env: environment.env, controlDir: environment.controlDir }),
      python: python.executable,
    };
  }

  /** pip download of the requirement set and of the sdists' build requirements. */
  fetch(): Promise<Fetched | undefined> {
    return fetchPhase(this.context, this.set);
  }

  private get venv(): string {
    return join(this.environment.workDir, "venv");
  }

  /**
   * The install phase's first half: a fresh venv with the downloaded wheels installed, untraced
   * (installing a wheel runs none of its code), so it may run beside the static scan. Returns
   * false when `signal` stopped it.
   */
  installWheels(artifacts: Artifact[], signal: AbortSignal): Promise<boolean> {
    return installDownloadedWheels(this.context, this.tools, artifacts, this.venv, signal);
  }

  /**
   * The install phase's second half, after `installWheels` and a static verdict that did not
   * block: the sdists built into wheels (traced) and those installed into the venv. Returns what
   * the venv holds, read from its .dist-info on the host, and the artifacts with `builtWheel`
   * set on each sdist; undefined when blocked.
   */
  async installSdists(artifacts: Artifact[]): Promise<{ distributions: VenvDistribution[]; artifacts: Artifact[] } | undefined> {
    const { environment, venv } = this;
    const installedFrom = await installSdists(this.context, this.set, artifacts, venv, this.tools);
    if (!installedFrom) return undefined;
    return { distributions: readVenvDistributions(venvSitePackages(venv, environment.python.version, environment.workDir), environment.workDir), artifacts: installedFrom };
  }

  /** Exercise every installed distribution (the import phase); the venv is removed after. */
  async exercise(distributions: VenvDistribution[], artifacts: Artifact[]): Promise<InstalledDistribution[] | undefined> {
    if (!(await importPhase(this.context, this.venv, distributions))) return undefined;
    rmSync(this.venv, { recursive: true, force: true });
    return installedDistributions(distributions, artifacts, this.set);
  }

  /** Stops writing the raw trace; the run directory stays until `dispose`. */
  close(): void {
    this.unregisterTrace();
    this.rawTrace?.close();
  }

  /** Removes the run's temp dir, artifacts included. */
  readonly dispose = (): void => {
    this.environment.release();
  };
}
