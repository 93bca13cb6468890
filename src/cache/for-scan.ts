/** Opens the verdict cache a scan's options ask for, with the key parts the scan itself does not know. */
import { passEnvDigests, hostPersona, verdictKey } from "./verdict-key.ts";
import type { ScanVerdictCache } from "./scan-seam.ts";
import { requirementLines } from "./scan-seam.ts";
import { openVerdictCache } from "./verdict-cache.ts";

/** The resolved options the verdict cache depends on (field names as in ResolvedOptions). */
export interface VerdictCacheSettings {
  cacheDir: string;
  noVerdictCache: boolean;
  verdictCache: string | undefined;
  verdictCacheReadonly: boolean;
  exerciseSeconds: number;
  graceSeconds: number;
  timeoutFetchSeconds: number;
  timeoutInstallSeconds: number;
  timeoutImportSeconds: number;
  allowlist: readonly string[];
  allowNames: readonly string[];
  doNotScan: readonly string[];
  passEnv: readonly string[];
}

export interface ScanCacheContext {
  /** rulePacksDigest() of the packs the run applies. */
  rulesDigest: string;
  pipcanaryVersion: string;
  env: Readonly<Record<string, string | undefined>>;
  warn: (message: string) => void;
}

/** Undefined with `--no-verdict-cache`; throws InputError for a shared cache without its key. */
export function scanVerdictCache(settings: VerdictCacheSettings, context: ScanCacheContext): ScanVerdictCache | undefined {
  if (settings.noVerdictCache) return undefined;
  const cache = openVerdictCache({ cacheDir: settings.cacheDir, sharedUrl: settings.verdictCache, readonly: settings.verdictCacheReadonly, env: context.env, warn: context.warn });
  const behaviour = {
    exerciseSeconds: settings.exerciseSeconds,
    graceSeconds: settings.graceSeconds,
    timeouts: { fetch: settings.timeoutFetchSeconds, install: settings.timeoutInstallSeconds, import: settings.timeoutImportSeconds },
    allowlist: settings.allowlist,
    allowNames: settings.allowNames,
    doNotScan: settings.doNotScan,
    passEnv: passEnvDigests(settings.passEnv, context.env),
  };
  return {
    cache,
    madeBy: `pipcanary ${context.pipcanaryVersion}`,
    warn: context.warn,
    key: (facts) =>
      verdictKey({
        artifactSha256s: facts.artifacts.map((artifact) => artifact.sha256),
        requirements: requirementLines(facts.set),
        rulesDigest: context.rulesDigest,
        pipcanaryVersion: context.pipcanaryVersion,
        interpreter: facts.interpreter,
        persona: hostPersona(facts.home),
        behaviour,
      }),
  };
}
