/**
 * The whole scan, in product order: names → fetch → static → install → import/exercise → audit →
 * lock → report, static and the wheels' install side by side, the audit beside the sandbox. The
 * one entry point for a scan: the CLI's `scan`, `lock` and `install`, the end-to-end tests and
 * the benchmarks all come through here.
 */
import { type AuditReport, type AuditServices, type AuditedPackage, auditDistributions, auditExitCode, createAuditServices } from "../audit/index.ts";
import type { Artifact, InstalledDistribution } from "../core/artifact.ts";
import { ExitCode, type ExitCodeValue } from "../core/exit-codes.ts";
import type { Finding } from "../core/finding.ts";
import type { RequirementSet } from "../core/requirements.ts";
import type { Rule } from "../rules/types.ts";
import { filesByName, writePylock } from "../lock/pylock-write.ts";
import { writeRequirementsLock } from "../lock/requirements-lock.ts";
import pkg from "../../package.json" with { type: "json" };
import { KnownMalwareGate } from "../pipeline/known-malware.ts";
import { stderrProgress } from "../pipeline/progress.ts";
import { type Fetched, SandboxStages, type ScanOptions, type ScanResult } from "../pipeline/scan.ts";
import { cacheLine, reuseVerdict, verdictOf } from "../cache/scan-seam.ts";
import { EventStream, type Stage } from "../events/stream.ts";
import type { Plugin } from "../plugins/api.ts";
import { builtinPlugins } from "../plugins/builtin/index.ts";
import { yamlPlugins } from "../plugins/builtin/yaml-rules.ts";
import { PluginHost } from "../plugins/host.ts";
import type { AuditStagePlan, ScanPlan, StaticStagePlan } from "./plan.ts";
import { reportOf } from "./report.ts";
import { releaseDependencies } from "../report/dependencies.ts";
import type { ReportModel } from "../report/model.ts";
import { staticStage } from "./static-stage.ts";

export interface RunOutcome {
  exitCode: ExitCodeValue;
  /** Everything to print on stdout, in the plan's format. */
  output: string;
  /** What the output was rendered from, for the -o files. */
  model: ReportModel;
  /** The finished scan, artifacts still on disk; undefined when it stopped before running. */
  scan: ScanResult | undefined;
  audit: AuditReport | undefined;
}

function blockedBy(findings: readonly Finding[]): boolean {
  return findings.some((finding) => finding.severity === "block");
}

function packageKeys(packages: readonly AuditedPackage[]): string {
  return [...new Set(packages.map((entry) => `${entry.name}==${entry.version}`))].sort().join("\n");
}

/**
 * The audit's network work (metadata, vulnerabilities, known malware, cool-down) started as soon
 * as the fetch phase named every release, so it runs while the sandbox installs and imports.
 * Joined on what was actually installed: when that differs from what was downloaded (it rarely
 * does), the audit runs again on the installed set, mostly from the fetcher's cache.
 */
class EarlyAudit {
  private started: { packages: AuditedPackage[]; report: Promise<AuditReport> } | undefined;

  constructor(
    private readonly plan: AuditStagePlan,
    private readonly services: AuditServices,
    private readonly set: RequirementSet,
  ) {}

  start(artifacts: readonly Artifact[]): void {
    const packages = artifacts.map((artifact) => ({ name: artifact.name, version: artifact.version }));
    const report = auditDistributions(packages, this.set.requirements, this.plan.options, this.services);
    // Awaited in join, or dropped with the scan when it blocks.
    report.catch(() => {});
    this.started = { packages, report };
  }

  /** The audit of what was downloaded, for the report of a scan that was stopped; undefined when none started or it failed. */
  async ofDownloaded(): Promise<AuditReport | undefined> {
    return this.started?.report.catch(() => undefined);
  }

  join(installed: readonly InstalledDistribution[]): Promise<AuditReport> {
    if (this.started && packageKeys(this.started.packages) === packageKeys(installed)) return this.started.report;
    return auditDistributions(installed, this.set.requirements, this.plan.options, this.services);
  }
}

/** What the sandboxed part of a run needs besides the requirement set and the sandbox options. */
interface SandboxScanParts {
  events: EventStream;
  /** The run's plugins, built-in and the user's, set up. */
  host: PluginHost;
  staticPlan: StaticStagePlan | undefined;
  debug: (message: string) => void;
  afterFetch: (fetched: Fetched) => void;
}

function secondsSince(began: number): string {
  return ((performance.now() - began) / 1000).toFixed(1);
}

/** Runs one stage between `stage-start` and `stage-end` events; a subscriber that failed during it fails the run. */
async function stage<T>(events: EventStream, name: Stage, run: () => Promise<T>): Promise<T> {
  events.publish("stage-start", { stage: name });
  try {
    const value = await run();
    events.throwIfFailed();
    return value;
  } finally {
    events.publish("stage-end", { stage: name });
  }
}

/**
 * The sandboxed stages: fetch, the verdict cache's lookup, the static scan beside the wheels'
 * untraced install, the sdists' traced build once the static verdict is in, then import; stops
 * at the first blocking finding. Built-in detections and the user's plugins are attached to the
 * event stream.
 */
async function sandboxScan(set: RequirementSet, sandbox: ScanOptions, parts: SandboxScanParts): Promise<ScanResult> {
  const { events, staticPlan, host } = parts;
  host.attach(events);
  let traceProblems = 0;
  events.on("trace-problem", ({ phase, line }) => {
    traceProblems++;
    parts.debug(`strace line the parser could not read (${phase} phase): ${line}`);
  });
  // Looked up while the sandbox is prepared; awaited before the fetch phase starts.
  const pinnedMalware = sandbox.knownMalware?.pinned();
  pinnedMalware?.catch(() => {});
  const stages = new SandboxStages(set, sandbox, events);
  const findings = stages.findings;
  // Findings a phase reports outside its trace (known malware, archives blamed after pip failed) reach subscribers at the stage's end.
  const published = new WeakSet<Finding>();
  events.on("finding", (finding) => published.add(finding));
  const publishRest = () => {
    for (const finding of findings) if (!published.has(finding)) events.publish("finding", finding);
  };
  const result = (blocked: boolean, fetched: Fetched, installed: InstalledDistribution[] = []): ScanResult => {
    publishRest();
    events.throwIfFailed();
    if (blocked) stages.dispose();
    return { findings, blocked, installed, ...fetched, traceProblems, dispose: stages.dispose };
  };
  const none: Fetched = { artifacts: [], buildArtifacts: [] };
  try {
    if (pinnedMalware) {
      findings.push(...(await pinnedMalware));
      if (blockedBy(findings)) return result(true, none);
    }
    const fetched = await stage(events, "fetch", () => stages.fetch());
    if (!fetched) return result(true, none);
    publishRest();
    parts.afterFetch(fetched);

    const archives = [...fetched.artifacts, ...fetched.buildArtifacts];
    // A cached behavioural verdict needs only the files' sha256s: with one, install and import
    // never start, and it replaces them unless the static scan blocks.
    const verdictCache = sandbox.verdictCache;
    const cacheKey = verdictCache?.key({ artifacts: archives, set, ...stages.persona });
    const reused = verdictCache && cacheKey ? await reuseVerdict(verdictCache, cacheKey, fetched.artifacts) : undefined;

    for (const artifact of archives) events.publish("artifact", artifact);
    const wheels = reused ? 0 : fetched.artifacts.filter((artifact) => artifact.kind === "wheel").length;
    const scanned = stage(events, "static", async () => {
      const found = await host.artifacts(archives);
      if (!staticPlan) return found;
      const began = performance.now();
      events.progress(`Scanning ${archives.length} archive(s) statically${wheels > 0 ? ` while ${wheels} wheel(s) install into a fresh venv in the sandbox (no network)` : ""}…`);
      const staticResult = await staticStage(staticPlan, archives, stages.staticSandbox, parts.debug, events);
      found.push(...staticResult.findings);
      for (const facts of staticResult.perArchive) {
        events.publish("static-facts", facts);
        found.push(...(await host.facts(facts)));
      }
      parts.debug(`Static scan done in ${secondsSince(began)} s.`);
      return found;
    });
    // Where the behavioural findings (the cached verdict's part) start: after the static ones.
    let behaviouralFrom = findings.length;
    const staticPassed = scanned.then((found) => {
      const reported = found.filter((finding) => !events.excepted(finding));
      for (const finding of reported) events.publish("finding", finding);
      findings.push(...reported);
      behaviouralFrom = findings.length;
      return !blockedBy(findings);
    });
    // Installing wheels runs none of their code, so it goes on beside the static scan; building
    // sdists does run theirs, so it waits for a static verdict that did not block.
    const stopInstall = new AbortController();
    const install = reused
      ? undefined
      : stage(events, "install", async () => {
          if (!staticPlan && wheels > 0) events.progress(`Installing ${wheels} wheel(s) into a fresh venv in the sandbox (no network)…`);
          const began = performance.now();
          if (!(await stages.installWheels(fetched.artifacts, stopInstall.signal))) return undefined;
          parts.debug(`Wheel install done in ${secondsSince(began)} s.`);
          return (await staticPassed) ? stages.installSdists(fetched.artifacts) : undefined;
        });
    // Awaited once the static verdict is in: a failed install matters only if the static scan did not block.
    install?.catch(() => {});
    const stopAndAwaitInstall = async (): Promise<void> => {
      stopInstall.abort();
      await install?.catch(() => undefined);
    };
    const passed = await staticPassed.catch(async (error: unknown) => {
      await stopAndAwaitInstall();
      throw error;
    });
    if (!passed) {
      await stopAndAwaitInstall();
      return result(true, fetched);
    }

    if (reused) {
      events.progress(cacheLine(reused.origin));
      findings.push(...reused.findings);
      return { ...result(reused.blocked, fetched, reused.installed), verdictFromCache: reused.origin };
    }
    // A fresh behavioural verdict that ran to its end is recorded for these files.
    const record = async (installed: InstalledDistribution[]): Promise<void> => {
      if (verdictCache && cacheKey) await verdictCache.cache.store(cacheKey, verdictOf(findings.slice(behaviouralFrom), installed, verdictCache.madeBy));
    };

    const installedFrom = await install;
    if (!installedFrom) {
      await record([]);
      return result(true, fetched);
    }
    // The sdists now carry the wheels built from them (`builtWheel`): what was installed and is locked.
    const built: Fetched = { ...fetched, artifacts: installedFrom.artifacts };
    const installed = await stage(events, "import", () => stages.exercise(installedFrom.distributions, installedFrom.artifacts));
    await record(installed ?? []);
    if (!installed) return result(true, built);
    return result(false, built, installed);
  } catch (error) {
    stages.dispose();
    throw error;
  } finally {
    stages.close();
  }
}

async function writeLocks(plan: ScanPlan, events: EventStream, scan: ScanResult, audit: AuditReport): Promise<void> {
  const { requirements, pylock } = plan.locks;
  if (requirements) {
    await writeRequirementsLock(scan.installed, requirements);
    events.progress(`Wrote ${requirements} (${scan.installed.length} packages, hashes of the scanned files).`);
  }
  if (pylock) {
    await writePylock(scan.installed, pylock, { indexUrl: plan.requirements.index.indexUrl ?? "", createdBy: `pipcanary ${pkg.version}`, files: filesByName(audit.packages) });
    events.progress(`Wrote ${pylock}.`);
  }
}

/**
 * The built-in plugins (the YAML engines with the run's pack rules among them) and the user's, set
 * up once for the run, before anything is fetched.
 */
async function pluginHost(set: RequirementSet, rules: readonly Rule[], plugins: readonly Plugin[], allowNames: readonly string[] | undefined): Promise<PluginHost> {
  const host = new PluginHost([...yamlPlugins(rules), ...builtinPlugins({ onlyBinary: set.index.onlyBinary, allowNames }), ...plugins]);
  await host.setup();
  return host;
}

/**
 * Runs the plan. On success the scan's artifacts stay on disk until `outcome.scan.dispose()`
 * (or exit), so `install` can install exactly those files.
 */
export async function runPlan(plan: ScanPlan): Promise<RunOutcome> {
  const set = plan.requirements;
  const events = plan.events ?? new EventStream();
  events.on("progress", ({ message }) => (plan.sandbox.progress ?? stderrProgress)(message));
  const services = plan.audit ? (plan.audit.services ?? (await createAuditServices(plan.audit.options))) : undefined;
  const finish = async (exitCode: ExitCodeValue, findings: readonly Finding[], scan: ScanResult | undefined, audit: AuditReport | undefined): Promise<RunOutcome> => {
    events.publish("stage-start", { stage: "report" });
    const releases = scan ? (scan.installed.length > 0 ? scan.installed : scan.artifacts) : [];
    const dependencies = services && releases.length > 0 ? await releaseDependencies(services.index, releases) : undefined;
    const { model, output } = reportOf(plan, {
      findings,
      installed: scan?.installed,
      audit,
      exitCode,
      traceProblems: scan?.traceProblems ?? 0,
      dependencies,
      verdictFromCache: scan?.verdictFromCache,
    });
    events.publish("stage-end", { stage: "report" });
    return { exitCode, output, model, scan, audit };
  };
  if (set.requirements.filter((requirement) => !requirement.constraint).length === 0) return finish(ExitCode.Safe, [], undefined, undefined);

  events.excepted = plan.exceptions;
  const host = await pluginHost(set, [...(plan.sandbox.rules ?? []), ...(plan.static?.rules ?? [])], plan.plugins, plan.names?.allowNames);
  const nameFindings = await stage(events, "names", async () => (await host.requirements(set.requirements)).filter((finding) => !events.excepted(finding)));
  for (const finding of nameFindings) events.publish("finding", finding);
  if (blockedBy(nameFindings)) return finish(ExitCode.MaliciousActivity, nameFindings, undefined, undefined);

  const knownMalware = plan.sandbox.knownMalware ?? (services ? new KnownMalwareGate(services.malware, services.index, set) : undefined);
  const early = plan.audit && services ? new EarlyAudit(plan.audit, services, set) : undefined;
  const scan = await sandboxScan(set, { ...plan.sandbox, knownMalware }, {
    events,
    host,
    staticPlan: plan.static,
    debug: plan.log.debug,
    afterFetch: (fetched) => early?.start(fetched.artifacts),
  });
  const findings = [...nameFindings, ...scan.findings];
  // A stopped scan still reports the audit of what it had downloaded, when that audit had started.
  if (scan.blocked) return finish(ExitCode.MaliciousActivity, findings, scan, await early?.ofDownloaded());
  if (!early) return finish(ExitCode.Safe, findings, scan, undefined);

  events.progress(`Auditing ${scan.installed.length} installed package(s) for known vulnerabilities and recent uploads…`);
  const audit = await stage(events, "audit", () => early.join(scan.installed));
  events.publish("audit-result", audit);
  for (const warning of audit.warnings) plan.log.warn(warning);
  const exitCode = auditExitCode(audit);
  if (exitCode === ExitCode.Safe) await stage(events, "lock", () => writeLocks(plan, events, scan, audit));
  else if (plan.locks.requirements || plan.locks.pylock) plan.log.warn("No lock file was written: the audit did not pass.");
  return finish(exitCode, findings, scan, audit);
}

/**
 * The sandboxed scan alone (fetch → install → import, with the static scan beside the install
 * when its plan is given), without names, audit, locks or report: what the end-to-end tests of
 * the behavioural scan and the benchmarks run. The same stages as `runPlan`.
 */
export async function runScan(set: RequirementSet, options: ScanOptions = {}, extra: { static?: StaticStagePlan; plugins?: Plugin[]; events?: EventStream } = {}): Promise<ScanResult> {
  const events = extra.events ?? new EventStream();
  events.on("progress", ({ message }) => (options.progress ?? stderrProgress)(message));
  const host = await pluginHost(set, [...(options.rules ?? []), ...(extra.static?.rules ?? [])], extra.plugins ?? [], undefined);
  return sandboxScan(set, options, { events, host, staticPlan: extra.static, debug: () => {}, afterFetch: () => {} });
}
