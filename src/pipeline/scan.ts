import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { eq as versionsEqual } from "@renovatebot/pep440";
import { onCleanup } from "../core/cleanup.ts";
import { IndexUnreachableError, ScanFailedError } from "../core/errors.ts";
import { normalizeName } from "../core/names.ts";
import type { Artifact, InstalledDistribution } from "../fetch/artifacts.ts";
import { buildRequirementSets } from "../fetch/build-requires.ts";
import { collectArtifacts } from "../fetch/collect.ts";
import { type EgressAttempt, type EgressProxy, startEgressProxy } from "../fetch/egress-proxy.ts";
import { allowedDestinations, indexArgs, localPaths, PIP_COMMON_ARGS, pipCommand } from "../fetch/pip-command.ts";
import { requirementFiles } from "../fetch/requirements-file.ts";
import type { RequirementSet } from "../inputs/types.ts";
import { compileRules } from "../match/matcher.ts";
import type { Finding } from "../report/findings.ts";
import { loadBuiltinRulePacks } from "../rules/builtin.ts";
import { dynamicRules } from "../rules/loader.ts";
import type { DynamicRule } from "../rules/types.ts";
import type { Mount } from "../sandbox/bwrap.ts";
import { createSandboxEnvironment, EGRESS_MOUNT, type SandboxEnvironment, writeLibFile } from "../sandbox/environment.ts";
import { detectHostPython, requireSandboxTools } from "../sandbox/host-python.ts";
import { sandboxSocketOwner } from "../sandbox/socket-owner.ts";
import { IMPORT_DRIVER_PY, type ImportUnit } from "./import-driver.ts";
import { dependencyOrder, readVenvDistributions, type VenvDistribution, venvSitePackages } from "./installed.ts";
import { type PhaseOutcome, PhaseRunner, type PhaseSpec, type PlannedStep } from "./phase-runner.ts";
import { type Progress, stderrProgress } from "./progress.ts";
import { RawTraceWriter } from "./raw-trace.ts";
import { createVenv } from "./venv.ts";

export interface ScanOptions {
  /** Interpreter whose pip and installation the sandbox uses (default python3 on PATH). */
  python?: string;
  /** Parent of the run's temp dir (`--temporary-directory`); default os.tmpdir(). */
  temporaryDirectory?: string;
  /** The real home, whose path the decoy home takes (default os.homedir()). */
  home?: string;
  /** Host environment variables passed into the sandbox by name (`--pass-env`). */
  passEnv?: string[];
  /** Per-phase time limits in seconds. */
  timeouts?: Partial<Record<"fetch" | "install" | "import", number>>;
  /** How long processes that outlive a phase's commands are still watched (default 2 s). */
  graceSeconds?: number;
  /** Normalised names installed but not imported (`--do-not-scan`). */
  doNotScan?: string[];
  /** `-t FILE`: the raw strace output of every phase. */
  traceFile?: string;
  /** Dynamic rules to apply; default the built-in pack. */
  rules?: readonly DynamicRule[];
  progress?: Progress;
}

export interface ScanHooks {
  /** Runs between fetch and install on every downloaded file; a blocking finding stops the scan. */
  staticScan?: (artifacts: Artifact[]) => Promise<Finding[]>;
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

export const DEFAULT_TIMEOUTS = { fetch: 600, install: 300, import: 120 } as const;
export const DEFAULT_GRACE_SECONDS = 2;
/** The forwarder's port on the sandbox's own loopback; nothing else listens there. */
const FORWARD_PORT = 3128;
const PROXY_URL = `http://127.0.0.1:${FORWARD_PORT}`;
const PROXY_ENV = { HTTP_PROXY: PROXY_URL, HTTPS_PROXY: PROXY_URL, http_proxy: PROXY_URL, https_proxy: PROXY_URL };

/** Where pip downloads to in the fetch phase; read-only for the sandbox in every later phase. */
function downloadDirs(environment: SandboxEnvironment): { artifactDir: string; buildDir: string } {
  return { artifactDir: join(environment.workDir, "artifacts"), buildDir: join(environment.workDir, "build-requirements") };
}

function readOnlyDownloads(environment: SandboxEnvironment): Mount[] {
  return Object.values(downloadDirs(environment)).map((dir): Mount => ({ kind: "ro-bind", source: dir, dest: dir }));
}

interface Context {
  environment: SandboxEnvironment;
  runner: PhaseRunner;
  options: ScanOptions;
  progress: Progress;
  findings: Finding[];
}

function blockedBy(findings: readonly Finding[]): boolean {
  return findings.some((finding) => finding.severity === "block");
}

/**
 * Blame for a request that reached the egress proxy, found through the host's view of the
 * forwarder connection. pip's own requests to the indexes are the point of the fetch phase; a
 * refused one of pip's is a warning (an index linking files elsewhere). Any request from
 * package code is a blocking finding, reported with its real destination (the trace alone only
 * sees a connection to the forwarder, which PhaseTrace leaves to this).
 */
function egressFinding(context: Context, attempt: EgressAttempt): void {
  const active = context.runner.active;
  if (!active) return;
  const owner = attempt.peerPort === undefined ? undefined : sandboxSocketOwner(active.run.tracerPid, attempt.peerPort, FORWARD_PORT);
  // Let the trace catch up with the process's spawn and exec before asking who it is.
  const settle = new Promise<void>((resolve) => setTimeout(resolve, 100)).then(() => {
    const attribution = owner === undefined ? undefined : active.trace.attributionOf(owner);
    const packageName = attribution?.package;
    if (packageName === undefined && attempt.allowed) return;
    active.trace.report({
      ruleId: attempt.allowed ? "egress" : "egress-refused",
      severity: packageName === undefined ? "warn" : "block",
      description: attempt.allowed ? "Network connection from package code." : "Network connection to a host that is not a package index.",
      explanation: attempt.allowed
        ? "Code of the package used the network while pip was downloading. Only pip needs the network, to fetch from the configured indexes; a package that reaches out during its build can send stolen data or fetch a second stage."
        : "While pip was downloading, code reached out to a destination other than the configured indexes. Malware does this to send stolen credentials away or to fetch its next stage.",
      package: packageName,
      phase: active.phase,
      subject: { kind: "connection", address: attempt.host, port: attempt.port },
      syscall: "connect",
      argv: attribution?.argv,
      artifactSha256: undefined,
    });
  });
  active.pending.push(settle);
}

function fileUrls(proxy: EgressProxy): Map<string, string> {
  const urls = new Map<string, string>();
  for (const attempt of proxy.attempts) {
    if (!attempt.allowed || attempt.url === undefined) continue;
    const last = new URL(attempt.url).pathname.split("/").pop();
    if (last) urls.set(decodeURIComponent(last), attempt.url);
  }
  return urls;
}

function checkFetchFailure(outcome: PhaseOutcome, proxy: EgressProxy, what: string): void {
  if (outcome.blocked || outcome.failedStep === undefined) return;
  const unreachable = proxy.attempts.find((attempt) => attempt.allowed && attempt.upstreamError !== undefined);
  if (unreachable) throw new IndexUnreachableError(`${unreachable.host}:${unreachable.port}`, unreachable.upstreamError ?? "");
  const refused = [...new Set(proxy.attempts.filter((attempt) => !attempt.allowed).map((attempt) => `${attempt.host}:${attempt.port}`))];
  const tail = outcome.result.outputTail.trim().split("\n").slice(-15).join("\n");
  const hint =
    refused.length > 0
      ? `pip was refused ${refused.join(", ")}, which is not an index or find-links host; add it as an extra index (--extra-index-url) or find-links location if you trust it`
      : "check the requirement names, versions and index options";
  throw new ScanFailedError(`pip could not download ${what}:\n${tail}`, hint);
}

async function fetchPhase(context: Context, set: RequirementSet): Promise<{ artifacts: Artifact[]; buildArtifacts: Artifact[] } | undefined> {
  const { environment, runner, options } = context;
  const python = environment.python.executable;
  const { artifactDir, buildDir } = downloadDirs(environment);
  mkdirSync(artifactDir);
  mkdirSync(buildDir);
  const files = requirementFiles(set);
  const requirementsPath = join(environment.workDir, "requirements.txt");
  const constraintsPath = join(environment.workDir, "constraints.txt");
  writeFileSync(requirementsPath, files.requirements);
  writeFileSync(constraintsPath, files.constraints);

  const proxy = await startEgressProxy({
    socketPath: join(environment.egressDir, "egress.sock"),
    allow: allowedDestinations(set.index),
    onAttempt: (attempt) => egressFinding(context, attempt),
  });
  const unregister = onCleanup(() => proxy.close());
  try {
    const common: Omit<PhaseSpec, "steps"> = {
      phase: "fetch",
      timeoutSeconds: options.timeouts?.fetch ?? DEFAULT_TIMEOUTS.fetch,
      mounts: [
        { kind: "ro-bind", source: environment.egressDir, dest: EGRESS_MOUNT },
        ...localPaths(set).map((path): Mount => ({ kind: "ro-bind", source: path, dest: path })),
      ],
      env: PROXY_ENV,
      forward: { port: FORWARD_PORT, socket: `${EGRESS_MOUNT}/egress.sock` },
      protectedDirs: [artifactDir, buildDir],
    };
    const download = (dest: string, ...rest: string[]) =>
      pipCommand(python, environment.python.pipRunner, { site: false }, "download", "--dest", dest, ...PIP_COMMON_ARGS, "--proxy", PROXY_URL, ...indexArgs(set.index), ...rest);

    context.progress(`Downloading ${set.requirements.filter((requirement) => !requirement.constraint).length} requirement(s) in the sandbox…`);
    const main = await runner.run({
      ...common,
      steps: [{ argv: download(artifactDir, "-r", requirementsPath, "-c", constraintsPath), required: true, package: undefined, label: "pip download" }],
    });
    context.findings.push(...main.findings);
    if (main.blocked) return undefined;
    checkFetchFailure(main, proxy, "the requirements");
    const artifacts = await collectArtifacts(artifactDir, environment.workDir, fileUrls(proxy));

    // pip builds sdists in an isolated env it fills from the index; the offline install phase
    // needs those build requirements as files, so they are fetched here, while there is network.
    const buildSets = buildRequirementSets(artifacts);
    if (buildSets.length === 0) return { artifacts, buildArtifacts: [] };
    context.progress(`Downloading the build requirements of ${artifacts.filter((artifact) => artifact.kind === "sdist").length} sdist(s)…`);
    const steps: PlannedStep[] = buildSets.map((requires) => ({
      argv: download(buildDir, "--", ...requires),
      required: true,
      package: undefined,
      label: `pip download ${requires.join(" ")}`,
    }));
    // setuptools < 70 asks for wheel at build time without declaring it.
    const declaresWheel = (requires: string[]) => requires.some((requirement) => /^wheel\b/i.test(requirement));
    if (!buildSets.every(declaresWheel)) {
      steps.push({ argv: download(buildDir, "--", "wheel"), required: false, package: undefined, label: "pip download wheel" });
    }
    const build = await runner.run({ ...common, steps });
    context.findings.push(...build.findings);
    if (build.blocked) return undefined;
    checkFetchFailure(build, proxy, "the build requirements of the sdists");
    return { artifacts, buildArtifacts: await collectArtifacts(buildDir, environment.workDir, fileUrls(proxy)) };
  } finally {
    unregister();
    await proxy.close();
  }
}

async function installPhase(context: Context, set: RequirementSet, venv: string): Promise<boolean> {
  const { environment, runner, options } = context;
  const installFiles = requirementFiles(set, { dropUrls: true });
  const requirementsPath = join(environment.workDir, "install-requirements.txt");
  writeFileSync(requirementsPath, installFiles.requirements);
  const index = set.index;
  const offline = [
    "--no-index",
    "--find-links", downloadDirs(environment).artifactDir,
    "--find-links", downloadDirs(environment).buildDir,
    ...(index.pre ? ["--pre"] : []),
    ...(index.onlyBinary.length > 0 ? ["--only-binary", index.onlyBinary.join(",")] : []),
  ];
  context.progress("Installing into a fresh venv in the sandbox (no network)…");
  const venvPython = createVenv(venv, environment.python);
  // The host's pip run by the venv's interpreter, as `pip --python` would do after starting twice.
  const pip = pipCommand(venvPython, environment.python.pipRunner, { site: true }, "install");
  const outcome = await runner.run({
    phase: "install",
    timeoutSeconds: options.timeouts?.install ?? DEFAULT_TIMEOUTS.install,
    mounts: readOnlyDownloads(environment),
    steps: [
      {
        argv: [...pip, ...PIP_COMMON_ARGS, "--no-warn-script-location", ...offline, "-r", requirementsPath, "-c", join(environment.workDir, "constraints.txt")],
        required: true,
        package: undefined,
        label: "pip install",
      },
    ],
  });
  context.findings.push(...outcome.findings);
  if (outcome.blocked) return false;
  if (outcome.failedStep) {
    const tail = outcome.result.outputTail.trim().split("\n").slice(-15).join("\n");
    throw new ScanFailedError(`${outcome.failedStep.label} failed in the sandbox:\n${tail}`);
  }
  return true;
}

/**
 * The import phase as one step: the import driver, which forks one worker per unit — a
 * distribution's executable .pth files, then its top-level modules — in dependency order.
 */
function importStep(context: Context, venv: string, sitePackages: string, distributions: VenvDistribution[]): PlannedStep | undefined {
  const { environment } = context;
  const skip = new Set((context.options.doNotScan ?? []).map(normalizeName));
  const units: ImportUnit[] = [];
  const markers = new Map<string, string>();
  mkdirSync(join(environment.libDir, "units"));
  const addUnit = (distribution: VenvDistribution, mode: ImportUnit["mode"], names: string[]) => {
    const marker = writeLibFile(environment, `units/${units.length}`, "");
    units.push({ mode, names, marker });
    markers.set(marker, distribution.name);
  };
  for (const distribution of dependencyOrder(distributions)) {
    if (skip.has(distribution.name)) continue;
    if (distribution.executablePth) addUnit(distribution, "pth", distribution.pthFiles);
    if (distribution.importTargets.length > 0) addUnit(distribution, "import", distribution.importTargets);
  }
  if (units.length === 0) return undefined;
  const driver = writeLibFile(environment, "import_driver.py", IMPORT_DRIVER_PY);
  const unitsFile = writeLibFile(environment, "units.json", JSON.stringify(units));
  return {
    argv: [join(venv, "bin", "python"), "-I", "-S", driver, sitePackages, unitsFile],
    required: false,
    package: undefined,
    markers,
    label: "imports",
  };
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
  const context: Context = {
    environment,
    options,
    progress: options.progress ?? stderrProgress,
    findings: [],
    runner: new PhaseRunner({
      environment,
      tools,
      matcher: compileRules(options.rules ?? dynamicRules(loadBuiltinRulePacks()), { home: environment.home }),
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
    const fetched = await fetchPhase(context, set);
    if (!fetched) return stopped();
    const { artifacts, buildArtifacts } = fetched;

    if (hooks.staticScan) {
      context.progress(`Scanning ${artifacts.length + buildArtifacts.length} archive(s) statically…`);
      context.findings.push(...(await hooks.staticScan([...artifacts, ...buildArtifacts])));
      if (blockedBy(context.findings)) return stopped(artifacts, buildArtifacts);
    }

    const venv = join(environment.workDir, "venv");
    if (!(await installPhase(context, set, venv))) return stopped(artifacts, buildArtifacts);

    const sitePackages = venvSitePackages(venv, python.version, environment.workDir);
    const distributions = readVenvDistributions(sitePackages, environment.workDir);
    const step = importStep(context, venv, sitePackages, distributions);
    if (step) {
      context.progress(`Importing ${distributions.length} installed distribution(s) in the sandbox (no network)…`);
      const imported = await context.runner.run({
        phase: "import",
        timeoutSeconds: options.timeouts?.import ?? DEFAULT_TIMEOUTS.import,
        mounts: readOnlyDownloads(environment),
        steps: [step],
      });
      context.findings.push(...imported.findings);
      if (imported.blocked) return stopped(artifacts, buildArtifacts);
    }

    rmSync(venv, { recursive: true, force: true });
    return {
      findings: context.findings,
      blocked: false,
      installed: installedDistributions(distributions, artifacts, set),
      artifacts,
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
