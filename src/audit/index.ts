import { normalizeName } from "../core/names.ts";
import { getTargetEnvironment } from "../inputs/target-environment.ts";
import type { Requirement } from "../core/requirements.ts";
import { createFetcher, IndexClient, type CacheOptions, type IndexOptions } from "../index/client.ts";
import type { CachedFetcher } from "../index/fetcher.ts";
import { HttpClient, type HttpOptions } from "../index/http.ts";
import type { ReleaseFile } from "../index/metadata.ts";
import { allowanceMap, DEFAULT_COOL_DOWN_MS, isAcceptedUpload, suggestRelease, uploadCutoff, type UploadTimeAllowance, versionUploadTime } from "./cooldown.ts";
import { OFFLINE_GAP, type AuditReport, type MissingData, type PackageAudit, type Suggestion, type TooRecent } from "./report.ts";
import { loadOsvDatabase } from "./vuln-db.ts";
import { loadMalwareDatabase } from "./malware-db.ts";
import { CombinedMalwareSource, KnownMalwareCheck, OsvDatabaseMalwareSource, OsvServiceMalwareSource, type MalwareSource } from "./malware.ts";
import { DEFAULT_OSV_URL, OsvApi } from "./osv-api.ts";
import { requirementLink } from "./known-malware-text.ts";
import {
  OsvDatabaseSource,
  OsvServiceSource,
  PypiVulnerabilitySource,
  withoutIgnored,
  type KnownVulnerability,
  type VulnerabilityResult,
  type VulnerabilitySource,
} from "./vulnerabilities.ts";

export { auditExitCode, auditReportJson, renderAuditText, type AuditReport, type PackageAudit } from "./report.ts";

/** What the audit needs to know besides the packages; the CLI maps its options onto this. */
export interface AuditOptions {
  /** `--vuln-service`: the PyPI JSON API (default) or OSV. */
  vulnService?: "pypi" | "osv";
  /** OSV API root; default https://api.osv.dev. */
  osvUrl?: string;
  /** `--vuln-db PATH`: offline OSV export; takes precedence over vulnService. */
  vulnDb?: string | undefined;
  /** `--ignore-vuln`, ids or aliases. */
  ignoreVulns?: string[];
  /** `--malware-db PATH`: a copy of ossf/malicious-packages; with --vuln-db, replaces the OSV service for known malware. */
  malwareDb?: string | undefined;
  /** `--allow-known-malware`: MAL- ids to let through (the report shows each). */
  allowKnownMalware?: string[];
  /** Cool-down in ms; 0 disables. Default 7 days. */
  coolDownMs?: number;
  /** `--max-upload-time`. */
  maxUploadTime?: Date | undefined;
  /** `--allow-upload-time`. */
  allowUploadTimes?: UploadTimeAllowance[];
  /**
   * Target interpreter version (python_full_version) a suggested release must install on;
   * default: the host python3's, so no caller can get a suggestion that ignores requires-python.
   */
  pythonVersion?: string | undefined;
  /** `--pre`: suggestions may be prereleases. */
  allowPrereleases?: boolean;
  /** Clock for the cool-down. */
  now?: () => Date;
  /** Told as each package's own answers (metadata, known malware) are in, the `index`th of `total`, for progress displays. */
  onPackage?: (name: string, index: number, total: number) => void;
}

export type AuditRunOptions = AuditOptions & IndexOptions & CacheOptions & HttpOptions;

/** The name and version of a package to audit; InstalledDistribution fits. */
export interface AuditedPackage {
  name: string;
  version: string;
}

/** The network side of an audit, built once per run (tests and benchmarks pass their own). */
export interface AuditServices {
  index: IndexClient;
  vulnerabilities: VulnerabilitySource;
  malware: KnownMalwareCheck;
}

export async function createAuditServices(options: AuditRunOptions): Promise<AuditServices> {
  const fetcher: CachedFetcher = createFetcher(options);
  const index = new IndexClient(fetcher, options);
  const osv = new OsvApi(new HttpClient(options), fetcher, options.osvUrl ?? DEFAULT_OSV_URL);
  const [vulnerabilities, malware] = await Promise.all([createVulnerabilitySource(options, index, osv), createMalwareSource(options, osv)]);
  return { index, vulnerabilities, malware: new KnownMalwareCheck(malware, options.allowKnownMalware) };
}

async function createVulnerabilitySource(options: AuditRunOptions, index: IndexClient, osv: OsvApi): Promise<VulnerabilitySource> {
  if (options.vulnDb) return new OsvDatabaseSource(await loadOsvDatabase(options.vulnDb));
  if (options.vulnService === "osv") return new OsvServiceSource(osv);
  return new PypiVulnerabilitySource(index);
}

/** Offline copies, when given, replace the OSV service (an air-gapped run must not depend on it). */
async function createMalwareSource(options: AuditRunOptions, osv: OsvApi): Promise<MalwareSource> {
  const copies: MalwareSource[] = [];
  if (options.malwareDb) copies.push(await loadMalwareDatabase(options.malwareDb));
  if (options.vulnDb) copies.push(new OsvDatabaseMalwareSource(await loadOsvDatabase(options.vulnDb), `--vuln-db ${options.vulnDb}`));
  if (copies.length === 0) return new OsvServiceMalwareSource(osv);
  return copies.length === 1 && copies[0] ? copies[0] : new CombinedMalwareSource(copies);
}

/**
 * Known vulnerabilities and the cool-down for each package, all fetched concurrently under the
 * client's bound. `requirements` supplies the specifiers a suggested replacement must satisfy.
 */
export async function auditDistributions(
  packages: readonly AuditedPackage[],
  requirements: readonly Requirement[],
  options: AuditRunOptions,
  services?: AuditServices,
): Promise<AuditReport> {
  const { index, vulnerabilities, malware } = services ?? (await createAuditServices(options));
  const unique = uniquePackages(packages);
  const now = (options.now ?? (() => new Date()))();
  const coolDownMs = options.coolDownMs ?? DEFAULT_COOL_DOWN_MS;
  const cutoff = uploadCutoff(now, coolDownMs, options.maxUploadTime);
  const allowances = allowanceMap(options.allowUploadTimes ?? []);
  const ignored = options.ignoreVulns ?? [];

  // Without a cool-down, an OSV source needs nothing from the index (offline with --vuln-db).
  const needMetadata = cutoff !== undefined || vulnerabilities instanceof PypiVulnerabilitySource;
  const metadataLookups = unique.map((pkg) => (needMetadata ? index.versionMetadata(pkg.name, pkg.version) : undefined));
  const malwareLookups = unique.map((pkg) => malware.check(pkg.name, pkg.version));
  let answered = 0;
  unique.forEach((pkg, position) => void Promise.all([metadataLookups[position], malwareLookups[position]]).then(() => options.onPackage?.(pkg.name, answered++, unique.length), () => {}));
  const [metadata, known, malwareVerdicts] = await Promise.all([Promise.all(metadataLookups), vulnerabilities.lookup(unique), Promise.all(malwareLookups)]);

  const audits = await Promise.all(
    unique.map(async (pkg, position): Promise<PackageAudit> => {
      const found = metadata[position];
      const normalizedName = normalizeName(pkg.name);
      const files: ReleaseFile[] = found?.status === "found" ? found.value.files : [];
      const missing: MissingData[] = [];
      if (found?.status === "missing") missing.push({ what: "metadata", reason: OFFLINE_GAP });
      if (found?.status === "not-found") missing.push({ what: "metadata", reason: "not found on any index" });
      const vulnerabilityResult = known[position] ?? { status: "missing", reason: "no answer" };
      const { kept, dropped } = splitIgnored(vulnerabilityResult, ignored);
      // When the metadata itself is missing, that one line already says the package went unchecked.
      if (vulnerabilityResult.status === "missing" && missing.length === 0) {
        missing.push({ what: "vulnerability data", reason: vulnerabilityResult.reason });
      }
      const malwareVerdict = malwareVerdicts[position] ?? { status: "missing", reason: "no answer" };
      // A missing-metadata line already says the package went unchecked; a vulnerability gap does not cover malware.
      if (malwareVerdict.status === "missing" && missing[0]?.what !== "metadata") missing.push({ what: "known-malware data", reason: malwareVerdict.reason });
      const audit: PackageAudit = {
        name: (found?.status === "found" ? found.value.name : undefined) ?? pkg.name,
        normalizedName,
        version: pkg.version,
        vulnerabilities: kept,
        ignored: dropped,
        malware: malwareVerdict.status === "checked" ? malwareVerdict.malware : [],
        allowedMalware: malwareVerdict.status === "checked" ? malwareVerdict.allowed : [],
        requiredBy: requiredBy(requirements, normalizedName),
        uploadTime: versionUploadTime(files),
        tooRecent: undefined,
        missing,
        files,
      };
      if (!cutoff || found?.status !== "found") return audit;
      if (!audit.uploadTime) {
        audit.missing.push({ what: "upload time", reason: "the index gives none, so the cool-down cannot be checked; --cool-down-phase-days 0 skips the check" });
        return audit;
      }
      const allowedUntil = allowances.get(normalizedName);
      if (isAcceptedUpload(audit.uploadTime, cutoff, allowedUntil)) return audit;
      const specifiers = requirements.filter((requirement) => requirement.normalizedName === normalizedName).map((requirement) => requirement.specifier);
      const replacement = await suggest(index, vulnerabilities, pkg, { specifiers, cutoff, allowedUntil, options, ignored });
      audit.tooRecent = { uploadTime: audit.uploadTime, ...replacement };
      return audit;
    }),
  );
  return {
    packages: audits.sort((a, b) => (a.normalizedName < b.normalizedName ? -1 : a.normalizedName > b.normalizedName ? 1 : 0)),
    warnings: [...index.fetcher.warnings],
  };
}

function requiredBy(requirements: readonly Requirement[], name: string): string | undefined {
  const requirement = requirements.find((candidate) => candidate.normalizedName === name && !candidate.constraint);
  return requirement ? requirementLink(requirement) : undefined;
}

function uniquePackages(packages: readonly AuditedPackage[]): AuditedPackage[] {
  const seen = new Map<string, AuditedPackage>();
  for (const pkg of packages) {
    const key = `${normalizeName(pkg.name)}==${pkg.version}`;
    if (!seen.has(key)) seen.set(key, { name: pkg.name, version: pkg.version });
  }
  return [...seen.values()];
}

function splitIgnored(result: VulnerabilityResult, ignored: readonly string[]): { kept: KnownVulnerability[]; dropped: string[] } {
  if (result.status !== "known") return { kept: [], dropped: [] };
  const kept = withoutIgnored(result.vulnerabilities, ignored);
  const dropped = result.vulnerabilities.filter((vulnerability) => !kept.includes(vulnerability)).map((vulnerability) => vulnerability.id);
  return { kept, dropped };
}

interface SuggestionContext {
  specifiers: string[];
  cutoff: Date;
  allowedUntil: Date | undefined;
  options: AuditOptions;
  ignored: readonly string[];
}

async function suggest(
  index: IndexClient,
  vulnerabilities: VulnerabilitySource,
  pkg: AuditedPackage,
  context: SuggestionContext,
): Promise<Pick<TooRecent, "suggestion" | "suggestionGap">> {
  const releases = await index.releases(pkg.name);
  if (releases.status !== "found") {
    return { suggestion: undefined, suggestionGap: releases.status === "missing" ? `its releases are ${OFFLINE_GAP}` : "its releases are not on any index" };
  }
  const version = suggestRelease({
    releases: releases.value.releases,
    current: pkg.version,
    specifiers: context.specifiers,
    pythonVersion: context.options.pythonVersion ?? (await getTargetEnvironment()).python_full_version,
    allowPrereleases: context.options.allowPrereleases ?? false,
    cutoff: context.cutoff,
    allowedUntil: context.allowedUntil,
  });
  if (version === undefined) return { suggestion: undefined, suggestionGap: undefined };
  const [result] = await vulnerabilities.lookup([{ name: pkg.name, version }]);
  const suggestion: Suggestion =
    !result || result.status === "missing"
      ? { version, vulnerabilities: undefined, vulnerabilityGap: result?.reason ?? "no answer" }
      : { version, vulnerabilities: withoutIgnored(result.vulnerabilities, context.ignored), vulnerabilityGap: undefined };
  return { suggestion, suggestionGap: undefined };
}
