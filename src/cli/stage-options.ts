/** Maps the resolved command-line options onto what each stage asks for. */
import type { AuditRunOptions } from "../audit/index.ts";
import type { IndexOptions, TargetEnvironment } from "../inputs/types.ts";
import type { ResolvedOptions } from "./options.ts";

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
    allowUploadTimes: options.allowUploadTimes.map((allowed) => ({ name: allowed.normalizedName, until: allowed.notAfter })),
    pythonVersion: environment?.python_full_version,
    allowPrereleases: index.pre,
    indexUrl: index.indexUrl,
    extraIndexUrls: index.extraIndexUrls,
    cacheDir: options.cacheDir,
    offline: options.offline,
  };
}
