/**
 * Who requires whom among the resolved releases, from the index's metadata (`requires_dist`), so
 * that the report can show a transitive package at the direct requirement that pulled it in.
 */
import { normalizeName } from "../core/names.ts";
import type { IndexClient } from "../index/client.ts";

const REQUIREMENT_NAME = /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)/;

/** The normalised project names of Requires-Dist lines (markers and extras ignored). */
export function requiredNames(requiresDist: readonly string[]): string[] {
  return requiresDist.flatMap((line) => {
    const name = REQUIREMENT_NAME.exec(line)?.[1];
    return name === undefined ? [] : [normalizeName(name)];
  });
}

export interface Release {
  name: string;
  version: string;
}

/** Normalised name → the normalised names its Requires-Dist lists; releases the index cannot describe are left out. */
export async function releaseDependencies(index: Pick<IndexClient, "versionMetadata">, releases: readonly Release[]): Promise<Map<string, string[]>> {
  const unique = [...new Map(releases.map((release) => [normalizeName(release.name), release])).values()];
  const entries = await Promise.all(
    unique.map(async (release): Promise<[string, string[]] | undefined> => {
      const found = await index.versionMetadata(release.name, release.version).catch(() => undefined);
      const requiresDist = found?.status === "found" ? found.value.requiresDist : undefined;
      if (requiresDist === undefined) return undefined;
      return [normalizeName(release.name), requiredNames(requiresDist)];
    }),
  );
  return new Map(entries.filter((entry) => entry !== undefined));
}
