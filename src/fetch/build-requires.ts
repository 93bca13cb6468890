import { readFileSync } from "node:fs";
import { gunzipSync, strFromU8, unzipSync } from "fflate";
import { parseTar } from "nanotar";
import { parse as parseToml } from "smol-toml";
import type { Artifact } from "../core/artifact.ts";

/** PEP 517's default for projects without a [build-system] table. */
const DEFAULT_BUILD_REQUIRES: readonly string[] = ["setuptools>=40.8.0", "wheel"];
const MAX_ARCHIVE_BYTES = 256 * 1024 * 1024;

/** `<top>/pyproject.toml` of a .tar.gz or .zip sdist, read on the host without running anything. */
function readPyproject(artifact: Artifact): string | undefined {
  if (artifact.size > MAX_ARCHIVE_BYTES) return undefined;
  const isTopLevelPyproject = (name: string) => /^[^/]+\/pyproject\.toml$/.test(name);
  const data = new Uint8Array(readFileSync(artifact.path));
  const lower = artifact.filename.toLowerCase();
  if (lower.endsWith(".zip")) {
    const entries = unzipSync(data, { filter: (entry) => isTopLevelPyproject(entry.name) });
    const found = Object.values(entries)[0];
    return found ? strFromU8(found) : undefined;
  }
  if (lower.endsWith(".tar.gz") || lower.endsWith(".tgz")) {
    const items = parseTar(gunzipSync(data), { filter: (item) => isTopLevelPyproject(item.name) });
    return items[0]?.text;
  }
  return undefined;
}

/**
 * The build requirements an sdist declares (`[build-system] requires`), or PEP 517's default.
 * The offline install phase needs these as files, since pip builds sdists in an isolated env.
 */
function buildRequires(artifact: Artifact): string[] {
  let text: string | undefined;
  try {
    text = readPyproject(artifact);
  } catch {
    return [...DEFAULT_BUILD_REQUIRES];
  }
  if (text === undefined) return [...DEFAULT_BUILD_REQUIRES];
  let parsed: Record<string, unknown>;
  try {
    parsed = parseToml(text);
  } catch {
    return [...DEFAULT_BUILD_REQUIRES];
  }
  const buildSystem = parsed["build-system"];
  if (typeof buildSystem !== "object" || buildSystem === null) return [...DEFAULT_BUILD_REQUIRES];
  const requires = (buildSystem as Record<string, unknown>).requires;
  if (!Array.isArray(requires)) return [...DEFAULT_BUILD_REQUIRES];
  return requires.filter((entry): entry is string => typeof entry === "string");
}

/** Distinct build-requirement sets of the sdists, each sorted, so pip resolves each set once. */
export function buildRequirementSets(artifacts: readonly Artifact[]): string[][] {
  const sets = new Map<string, string[]>();
  for (const artifact of artifacts) {
    if (artifact.kind !== "sdist") continue;
    const requires = buildRequires(artifact).sort();
    sets.set(requires.join("\n"), requires);
  }
  return [...sets.values()];
}
