/**
 * Where the verdict cache meets the scan: after fetch and the static scan (the files are known and
 * none blocked), before install and import. The scan asks `reuse` with what it knows; on a miss it
 * runs install and import and hands the finished result to `record`.
 */
import type { Artifact, InstalledDistribution } from "../core/artifact.ts";
import type { Finding } from "../core/finding.ts";
import type { RequirementSet } from "../core/requirements.ts";
import type { VerdictCache, VerdictHit } from "./verdict-cache.ts";
import type { Verdict } from "./verdict.ts";

/** What only the scan knows when it reaches the seam. */
export interface ScanFacts {
  /** Every downloaded file: wheels, sdists and build requirements. */
  artifacts: readonly Artifact[];
  set: RequirementSet;
  interpreter: { path: string; version: string };
  /** The real home's path, which the decoy home takes. */
  home: string;
}

/** The cache plus the rest of the key, which the caller (options, rules, version) knows. */
export interface ScanVerdictCache {
  cache: VerdictCache;
  key: (facts: ScanFacts) => string;
  /** "pipcanary 0.1.0": recorded with each verdict. */
  madeBy: string;
  warn: (message: string) => void;
}

export interface ReusedVerdict {
  findings: Finding[];
  blocked: boolean;
  installed: InstalledDistribution[];
  origin: VerdictOrigin;
}

/** Where a reused verdict came from, for the report's cache line. */
export interface VerdictOrigin {
  level: VerdictHit["level"];
  madeAt: string;
  madeBy: string;
}

/** The lines pip installs from, as the key sees them. */
export function requirementLines(set: RequirementSet): string[] {
  return set.requirements.map((requirement) =>
    [
      requirement.constraint ? "-c " : "",
      requirement.normalizedName,
      requirement.extras.length > 0 ? `[${[...requirement.extras].sort().join(",")}]` : "",
      requirement.specifier,
      requirement.url === undefined ? "" : ` @ ${requirement.url}`,
      requirement.markerText === undefined ? "" : ` ; ${requirement.markerText}`,
    ].join(""),
  );
}

/** The cached verdict for these facts, its installed files mapped onto this run's artifacts. */
export async function reuseVerdict(seam: ScanVerdictCache, key: string, artifacts: readonly Artifact[]): Promise<ReusedVerdict | undefined> {
  const hit = await seam.cache.lookup(key);
  if (!hit) return undefined;
  const bySha256 = new Map(artifacts.map((artifact) => [artifact.sha256, artifact]));
  const installed: InstalledDistribution[] = [];
  for (const distribution of hit.verdict.installed) {
    const files = distribution.artifacts.map((artifact) => bySha256.get(artifact.sha256));
    if (files.some((file) => file === undefined)) {
      seam.warn(`Ignoring the cached verdict ${key}: it names files this run did not download. The packages are scanned again.`);
      return undefined;
    }
    installed.push({ name: distribution.name, version: distribution.version, direct: distribution.direct, artifacts: files.filter((file) => file !== undefined) });
  }
  const { findings, blocked, madeAt, madeBy } = hit.verdict;
  return { findings, blocked, installed, origin: { level: hit.level, madeAt, madeBy } };
}

/** The verdict of a behavioural scan that ran to its end (blocked or not). */
export function verdictOf(findings: readonly Finding[], installed: readonly InstalledDistribution[], madeBy: string): Verdict {
  return {
    findings: [...findings],
    blocked: findings.some((finding) => finding.severity === "block"),
    installed: installed.map((distribution) => ({
      name: distribution.name,
      version: distribution.version,
      direct: distribution.direct,
      artifacts: distribution.artifacts.map((artifact) => ({ filename: artifact.filename, sha256: artifact.sha256 })),
    })),
    madeAt: new Date().toISOString(),
    madeBy,
  };
}

/** The report's line for a reused verdict. */
export function cacheLine(origin: VerdictOrigin): string {
  const where = origin.level === "local" ? "the local verdict cache" : "the shared verdict cache";
  return `Behavioural verdict from ${where}, made ${origin.madeAt} by ${origin.madeBy}: install and import were skipped for these unchanged files.`;
}
