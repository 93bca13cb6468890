/**
 * The scan as the user runs it: package names checked before pip sees them, the sandboxed
 * fetch → static → install → import phases, then the audit of exactly what was installed, the
 * lock files, and one report. `lock` and `install` reuse it and act on the scanned artifacts.
 */
import pkg from "../../package.json" with { type: "json" };
import { type AuditReport, auditDistributions, auditExitCode, auditReportJson, createAuditServices, renderAuditText } from "../audit/index.ts";
import { ExitCode, type ExitCodeValue } from "../core/exit-codes.ts";
import { normalizeName } from "../core/names.ts";
import type { Artifact } from "../core/artifact.ts";
import { evaluateMarker } from "../inputs/markers.ts";
import type { RequirementSet } from "../core/requirements.ts";
import { filesByName, writePylock } from "../lock/pylock-write.ts";
import { writeRequirementsLock } from "../lock/requirements-lock.ts";
import { KnownMalwareGate } from "../pipeline/known-malware.ts";
import { type ScanResult, type StaticScanSandbox, runScan } from "../pipeline/scan.ts";
import type { Finding } from "../core/finding.ts";
import { scanReportJson } from "../report/json.ts";
import { renderSarif } from "../report/sarif.ts";
import { exemptionLines } from "../report/exemptions.ts";
import { closingLine, formatScanReport, formatWarning } from "../report/text.ts";
import { loadBuiltinRulePacks } from "../rules/builtin.ts";
import { dynamicRules, loadRulePackFiles, staticRules } from "../rules/loader.ts";
import type { DynamicRule, StaticRule } from "../rules/types.ts";
import { type ArtifactStaticResult, checkRequirementNames, refuseSdists, scanArtifactsStatically } from "../static/index.ts";
import { NotImplementedError } from "./not-implemented.ts";
import type { ResolvedOptions } from "./options.ts";
import { logger } from "./output.ts";
import { auditRunOptions, exemptionsOf } from "./stage-options.ts";
import type { RequirementSetView } from "./requirement-set-output.ts";

export interface ScanOutcome {
  exitCode: ExitCodeValue;
  /** Everything to print on stdout, in the chosen format. */
  output: string;
  /** The finished scan, artifacts still on disk; undefined when it stopped before running. */
  scan: ScanResult | undefined;
  audit: AuditReport | undefined;
}

interface LoadedRules {
  dynamic: DynamicRule[];
  static: StaticRule[];
}

function loadRules(options: ResolvedOptions): LoadedRules {
  const packs = [...loadBuiltinRulePacks(), ...loadRulePackFiles(options.rulePaths)];
  return { dynamic: dynamicRules(packs), static: staticRules(packs) };
}

function refuseUnimplemented(options: ResolvedOptions): void {
  if (options.noSandbox) throw new NotImplementedError("--no-sandbox", "run the scan in the sandbox (drop --no-sandbox)");
  if (options.plugins.length > 0) throw new NotImplementedError("--plugin", "use YAML rule packs (--rules) for now");
}

/** Requirements whose markers do not apply to the target interpreter are not scanned. */
function applicableSet(view: RequirementSetView): RequirementSet {
  const environment = view.environment;
  const requirements = view.set.requirements.filter((requirement) => !requirement.marker || !environment || evaluateMarker(requirement.marker, environment));
  return { requirements, index: view.index };
}

function onlyBinaryApplies(onlyBinary: readonly string[], artifact: Artifact): boolean {
  return onlyBinary.includes(":all:") || onlyBinary.includes(normalizeName(artifact.name));
}

function staticHook(options: ResolvedOptions, rules: StaticRule[], onlyBinary: readonly string[]) {
  const cache = new Map<string, ArtifactStaticResult>();
  return async (artifacts: Artifact[], sandbox: StaticScanSandbox): Promise<Finding[]> => {
    const refused = refuseSdists(artifacts.filter((artifact) => onlyBinaryApplies(onlyBinary, artifact)));
    const factsCache = { dir: options.cacheDir, warn: (message: string) => logger.warn(message) };
    const result = await scanArtifactsStatically(artifacts, { rules, allowlist: options.allowlist, python: sandbox.python, spawn: sandbox.spawn, cache, factsCache });
    for (const note of result.notes) logger.debug(note);
    return [...refused, ...result.findings];
  };
}

function render(options: ResolvedOptions, set: RequirementSet, findings: readonly Finding[], audit: AuditReport | undefined, scan: ScanResult | undefined, exitCode: ExitCodeValue): string {
  const exemptions = exemptionsOf(options, set.index, audit);
  if (options.format === "sarif") return `${JSON.stringify(renderSarif(findings, pkg.version, exemptions), null, 2)}\n`;
  if (options.format === "json") {
    const installed = (scan?.installed ?? []).map((dist) => ({
      name: dist.name,
      version: dist.version,
      direct: dist.direct,
      artifacts: dist.artifacts.map((artifact) => ({ filename: artifact.filename, sha256: artifact.sha256, url: artifact.url ?? null })),
    }));
    const document = { exitCode, ...scanReportJson(findings, exemptions), installed, audit: audit ? auditReportJson(audit) : null };
    return `${JSON.stringify(document, null, 2)}\n`;
  }
  const notes = exemptionLines(exemptions);
  const blocked = findings.some((finding) => finding.severity === "block");
  if (blocked || !audit) return `${formatScanReport(findings, notes)}\n`;
  // The audit itself names every known-malware match --allow-known-malware let through.
  const warnings = findings.filter((finding) => finding.severity === "warn" && finding.subject.kind !== "known-malware").map(formatWarning);
  const verdict = exitCode === ExitCode.Safe ? [closingLine(findings)] : [];
  return `${[...warnings, ...notes, renderAuditText(audit).trimEnd(), ...verdict].join("\n")}\n`;
}

async function writeLocks(options: ResolvedOptions, scan: ScanResult, audit: AuditReport, index: RequirementSet["index"]): Promise<void> {
  if (options.lockedRequirementFile) {
    await writeRequirementsLock(scan.installed, options.lockedRequirementFile);
    logger.info(`Wrote ${options.lockedRequirementFile} (${scan.installed.length} packages, hashes of the scanned files).`);
  }
  if (options.pylockFile) {
    await writePylock(scan.installed, options.pylockFile, { indexUrl: index.indexUrl ?? "", createdBy: `pipcanary ${pkg.version}`, files: filesByName(audit.packages) });
    logger.info(`Wrote ${options.pylockFile}.`);
  }
}

/**
 * Runs the whole check. On success the scan's artifacts stay on disk until `outcome.scan.dispose()`
 * (or exit), so `install` can install exactly those files.
 */
export async function scanAndAudit(options: ResolvedOptions, view: RequirementSetView): Promise<ScanOutcome> {
  refuseUnimplemented(options);
  const rules = loadRules(options);
  const set = applicableSet(view);
  if (set.requirements.filter((requirement) => !requirement.constraint).length === 0) {
    return { exitCode: ExitCode.Safe, output: render(options, set, [], undefined, undefined, ExitCode.Safe), scan: undefined, audit: undefined };
  }

  const nameFindings = checkRequirementNames(set.requirements, options.allowNames);
  if (nameFindings.some((finding) => finding.severity === "block")) {
    const exitCode = ExitCode.MaliciousActivity;
    return { exitCode, output: render(options, set, nameFindings, undefined, undefined, exitCode), scan: undefined, audit: undefined };
  }

  const auditOptions = auditRunOptions(options, set.index, view.environment);
  const services = await createAuditServices(auditOptions);
  const scan = await runScan(
    set,
    {
      knownMalware: new KnownMalwareGate(services.malware, services.index, set),
      temporaryDirectory: options.temporaryDirectory,
      passEnv: options.passEnv,
      timeouts: { fetch: options.timeoutFetchSeconds, install: options.timeoutInstallSeconds, import: options.timeoutImportSeconds },
      exerciseSeconds: options.exerciseSeconds,
      graceSeconds: options.graceSeconds,
      doNotScan: options.doNotScan,
      traceFile: options.traceFile,
      rules: rules.dynamic,
      progress: (message) => logger.info(message),
    },
    { staticScan: staticHook(options, rules.static, set.index.onlyBinary) },
  );
  const findings = [...nameFindings, ...scan.findings];
  if (scan.blocked) {
    const exitCode = ExitCode.MaliciousActivity;
    return { exitCode, output: render(options, set, findings, undefined, scan, exitCode), scan, audit: undefined };
  }

  logger.info(`Auditing ${scan.installed.length} installed package(s) for known vulnerabilities and recent uploads…`);
  const audit = await auditDistributions(scan.installed, set.requirements, auditOptions, services);
  for (const warning of audit.warnings) logger.warn(warning);
  const exitCode = auditExitCode(audit);
  if (exitCode === ExitCode.Safe) await writeLocks(options, scan, audit, set.index);
  else if (options.lockedRequirementFile || options.pylockFile) logger.warn("No lock file was written: the audit did not pass.");
  return { exitCode, output: render(options, set, findings, audit, scan, exitCode), scan, audit };
}
