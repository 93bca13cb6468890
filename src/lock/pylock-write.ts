import type { Artifact, InstalledDistribution } from "../core/artifact.ts";
import { writeFileAtomic } from "../core/atomic-write.ts";
import type { ReleaseFile } from "../index/metadata.ts";
import { sortDistributions } from "./requirements-lock.ts";

/**
 * `--pylock FILE`: a PEP 751 lock file (lock-version 1.0) listing exactly the scanned files.
 * URLs and upload times that pip's report does not carry come from the audit's index metadata.
 */

export interface PylockOptions {
  /** The simple index the packages came from (`packages.index`). */
  indexUrl: string;
  createdBy?: string;
  /** Index metadata per file name (the audit report's `files`), for url and upload-time. */
  files?: ReadonlyMap<string, ReleaseFile>;
}

/** A TOML basic string: JSON's escapes are valid TOML; TOML also forbids a raw DEL, which JSON leaves alone. */
function tomlString(value: string): string {
  return JSON.stringify(value).replace(/\x7f/g, "\\u007f");
}

function fileTable(artifact: Artifact, known: ReleaseFile | undefined): string {
  const url = artifact.url ?? known?.url;
  if (!url) throw new Error(`cannot write pylock.toml: no URL is known for ${artifact.filename}`);
  const fields = [`name = ${tomlString(artifact.filename)}`, `url = ${tomlString(url)}`, `size = ${artifact.size}`];
  // A TOML offset date-time, not a string: PEP 751 types upload-time as a datetime.
  if (known?.uploadTime) fields.push(`upload-time = ${known.uploadTime.toISOString()}`);
  fields.push(`hashes = { sha256 = ${tomlString(artifact.sha256.toLowerCase())} }`);
  return `{ ${fields.join(", ")} }`;
}

export function renderPylock(dists: readonly InstalledDistribution[], options: PylockOptions): string {
  const lines = [`lock-version = "1.0"`, `created-by = ${tomlString(options.createdBy ?? "pipcanary")}`];
  for (const dist of sortDistributions(dists)) {
    const artifacts = [...dist.artifacts].sort((a, b) => (a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0));
    if (artifacts.length === 0) throw new Error(`cannot lock ${dist.name} ${dist.version}: no scanned artifact`);
    const wheels = artifacts.filter((artifact) => artifact.kind === "wheel");
    const sdist = artifacts.find((artifact) => artifact.kind === "sdist");
    lines.push("", "[[packages]]", `name = ${tomlString(dist.name)}`, `version = ${tomlString(dist.version)}`, `index = ${tomlString(options.indexUrl)}`);
    if (sdist) lines.push(`sdist = ${fileTable(sdist, options.files?.get(sdist.filename))}`);
    if (wheels.length > 0) {
      lines.push("wheels = [", ...wheels.map((wheel) => `  ${fileTable(wheel, options.files?.get(wheel.filename))},`), "]");
    }
  }
  return `${lines.join("\n")}\n`;
}

export async function writePylock(dists: readonly InstalledDistribution[], file: string, options: PylockOptions): Promise<void> {
  await writeFileAtomic(file, renderPylock(dists, options));
}

/** The audit report's files keyed by file name, for PylockOptions.files. */
export function filesByName(packages: ReadonlyArray<{ files: readonly ReleaseFile[] }>): Map<string, ReleaseFile> {
  return new Map(packages.flatMap((pkg) => pkg.files.map((file) => [file.filename, file] as const)));
}
