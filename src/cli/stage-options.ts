/** Maps the resolved command-line options onto what each stage asks for. */
import type { AuditReport, AuditRunOptions } from "../audit/index.ts";
import { pinnedVersion } from "../audit/versions.ts";
import { allowanceMap, uploadCutoff } from "../audit/cooldown.ts";
import type { IndexOptions, RequirementSet, TargetEnvironment } from "../core/requirements.ts";
import { DAY_MS } from "../core/time.ts";
import type { IndexClient } from "../index/client.ts";
import { createHoldBackIndex, type HoldBackIndex } from "../audit/hold-back.ts";
import type { Exemptions, PackageSource } from "../report/exemptions.ts";
import type { RulePack } from "../rules/types.ts";
import { DEFAULT_INDEX_URL } from "../index/urls.ts";
import { DEFAULT_COOL_DOWN_DAYS, type ResolvedOptions } from "./options.ts";

export function auditRunOptions(options: ResolvedOptions, index: IndexOptions, environment: TargetEnvironment | undefined): AuditRunOptions {
  return {
    vulnService: options.vulnService,
    vulnDb: options.vulnDb,
    ignoreVulns: options.ignoreVulns,
    osvUrl: options.osvUrl,
    malwareDb: options.malwareDb,
    allowKnownMalware: options.allowKnownMalware,
    coolDownMs: options.coolDownMs,
    maxUploadTime: options.maxUploadTime,
    allowUploadTimes: options.allowUploadTimes,
    pythonVersion: environment?.python_full_version,
    allowPrereleases: index.pre,
    indexUrl: index.indexUrl,
    extraIndexUrls: index.extraIndexUrls,
    cacheDir: options.cacheDir,
    offline: options.offline,
  };
}

function packageSources(options: ResolvedOptions, index: IndexOptions): PackageSource[] {
  const from = (url: string) => (options.indexUrl === url || options.extraIndexUrls.includes(url) ? "the command line or environment" : "a requirements file");
  const sources: PackageSource[] = [];
  if (index.indexUrl !== undefined && index.indexUrl !== DEFAULT_INDEX_URL) sources.push({ kind: "index-url", url: index.indexUrl, from: from(index.indexUrl) });
  for (const url of index.extraIndexUrls) sources.push({ kind: "extra-index-url", url, from: from(url) });
  for (const url of index.findLinks) sources.push({ kind: "find-links", url, from: "a requirements file" });
  return sources;
}

/** `--hold-back-recent`: the held-back index view for the fetch phase; undefined when off or without a cut-off. */
export function holdBackIndex(options: ResolvedOptions, set: RequirementSet, index: IndexClient, now: Date = new Date()): HoldBackIndex | undefined {
  const cutoff = uploadCutoff(now, options.coolDownMs, options.maxUploadTime);
  if (!options.holdBackRecent || !cutoff) return undefined;
  const pinned = new Map<string, string[]>();
  for (const requirement of set.requirements) {
    const version = requirement.constraint ? undefined : pinnedVersion(requirement);
    if (version !== undefined) pinned.set(requirement.normalizedName, [...(pinned.get(requirement.normalizedName) ?? []), version]);
  }
  const allowances = allowanceMap(options.allowUploadTimes);
  return createHoldBackIndex({ index, cutoff, allowances, pinned });
}

/** What this run skips, ignores or accepts, for the report. */
export function exemptionsOf(options: ResolvedOptions, index: IndexOptions, audit: AuditReport | undefined, holdBack?: HoldBackIndex, packs: readonly RulePack[] = []): Exemptions {
  const ruleExceptions = packs.flatMap((pack) =>
    (pack.exceptions ?? []).map((exception) => ({ rule: exception.rule, pack: pack.source, packages: exception.packages, phases: exception.phases, unattributed: exception.unattributed, reason: exception.reason })),
  );
  const coolDownDays = options.coolDownMs / DAY_MS;
  return {
    notImported: options.doNotScan,
    ignoredVulnerabilities: options.ignoreVulns,
    ignoredInThisRun: (audit?.packages ?? []).filter((pkg) => pkg.ignored.length > 0).map((pkg) => ({ package: pkg.name, version: pkg.version, ids: pkg.ignored })),
    allowlisted: options.allowlist,
    acceptedUploads: options.allowUploadTimes.map((allowed) => `${allowed.name}<=${allowed.until.toISOString()}`),
    acceptedNames: options.allowNames,
    coolDownDays: coolDownDays < DEFAULT_COOL_DOWN_DAYS ? coolDownDays : undefined,
    defaultCoolDownDays: DEFAULT_COOL_DOWN_DAYS,
    sources: packageSources(options, index),
    ...(ruleExceptions.length > 0 ? { ruleExceptions } : {}),
    ...(holdBack
      ? {
          heldBack: {
            cutoff: holdBack.cutoff.toISOString(),
            releases: holdBack.heldBack().map((release) => ({ name: release.name, version: release.version, uploadTime: release.uploadTime.toISOString() })),
            uploadTimeUnknown: holdBack.unknownUploadTime(),
          },
        }
      : {}),
  };
}
