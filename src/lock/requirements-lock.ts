import { normalizeName } from "../core/names.ts";
import type { InstalledDistribution } from "../core/artifact.ts";
import { writeFileAtomic } from "../core/atomic-write.ts";

/**
 * `-l FILE`: a requirements file pinning every scanned distribution with the hashes of exactly
 * the files that were scanned (not every file of the release, the anchor's mistake). Seed 001's
 * layout; sorted by normalised name and hash so the same scan always writes the same bytes.
 */
export function renderRequirementsLock(dists: readonly InstalledDistribution[]): string {
  const entries = sortDistributions(dists).map((dist) => {
    const hashes = [...new Set(dist.artifacts.map((artifact) => artifact.sha256.toLowerCase()))].sort();
    if (hashes.length === 0) throw new Error(`cannot lock ${dist.name} ${dist.version}: no scanned artifact`);
    return [`${dist.name}==${dist.version}`, ...hashes.map((hash) => `   --hash=sha256:${hash}`)].join(" \\\n");
  });
  return entries.length === 0 ? "" : `${entries.join("\n")}\n`;
}

export async function writeRequirementsLock(dists: readonly InstalledDistribution[], file: string): Promise<void> {
  await writeFileAtomic(file, renderRequirementsLock(dists));
}

/** By normalised name (then version), the order both lock formats use. */
export function sortDistributions<T extends { name: string; version: string }>(dists: readonly T[]): T[] {
  return [...dists].sort((a, b) => compareText(normalizeName(a.name), normalizeName(b.name)) || compareText(a.version, b.version));
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
