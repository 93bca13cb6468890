import { createReadStream, lstatSync, readdirSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { normalizeName } from "../core/names.ts";
import { isPlainPathInside, requirePlainDirectory } from "../sandbox/host-read.ts";
import type { Artifact } from "../core/artifact.ts";

const SDIST_SUFFIXES = [".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tar.xz", ".txz", ".tar", ".zip"];

/** Name and version from a wheel or sdist file name; undefined for anything else. */
export function parseDistributionFilename(filename: string): { name: string; version: string; kind: Artifact["kind"] } | undefined {
  if (filename.endsWith(".whl")) {
    // {name}-{version}(-{build})?-{python}-{abi}-{platform}.whl; name and version have no '-'.
    const parts = filename.slice(0, -4).split("-");
    if (parts.length < 5 || parts.length > 6) return undefined;
    const [name, version] = parts as [string, string];
    return { name: normalizeName(name), version, kind: "wheel" };
  }
  const suffix = SDIST_SUFFIXES.find((candidate) => filename.toLowerCase().endsWith(candidate));
  if (!suffix) return undefined;
  const stem = filename.slice(0, -suffix.length);
  // Older sdists keep '-' in the name; the version is the last part that starts with a digit.
  const match = /^(.+?)-(\d[^-]*)$/.exec(stem);
  if (!match?.[1] || !match[2]) return undefined;
  return { name: normalizeName(match[1]), version: match[2], kind: "sdist" };
}

function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    createReadStream(path)
      .on("data", (chunk) => hash.update(chunk))
      .on("error", reject)
      .on("end", () => resolve(hash.digest("hex")));
  });
}

/**
 * Every distribution file in `dir` with its sha256, computed by pipcanary on the host (pip's
 * own report is not available for downloads and would come from inside the sandbox anyway).
 * `root` is the work dir the sandbox could write to. `urls` maps file names to where the proxy saw them fetched from.
 */
export async function collectArtifacts(dir: string, root: string, urls: ReadonlyMap<string, string> = new Map()): Promise<Artifact[]> {
  requirePlainDirectory(dir, root);
  const artifacts: Artifact[] = [];
  for (const filename of readdirSync(dir).sort()) {
    const path = join(dir, filename);
    if (!isPlainPathInside(path, root)) continue;
    // lstat: the sandbox could have left a symlink to a host file here; only regular files count.
    const stat = lstatSync(path);
    if (!stat.isFile()) continue;
    const parsed = parseDistributionFilename(filename);
    if (!parsed) continue;
    artifacts.push({ ...parsed, filename, path, sha256: await sha256File(path), size: stat.size, url: urls.get(filename) });
  }
  return artifacts;
}
