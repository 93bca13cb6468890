/**
 * `--hold-back-recent`: the index pip resolves against in the fetch phase, as uv's
 * `exclude-newer` does it: every project page lists only the files uploaded before the cool-down
 * cut-off (or allowed by `--allow-upload-time`), so an unpinned requirement resolves to the newest
 * release old enough. Pages are built from the metadata the audit reads (the PEP 691 simple API
 * of every configured index, merged, with PEP 700 upload times, else the JSON API), so HTML-only
 * indexes are filtered too. File URLs stay the indexes' own: downloads go through the egress
 * proxy and the known-malware screen as before.
 *
 * Exact pins of the input stay visible: a pinned too-recent release is the audit's to report
 * (exit 4), not a resolution failure.
 */
import { isAcceptedUpload } from "./cooldown.ts";
import { compareVersions } from "./versions.ts";
import { normalizeName } from "../core/names.ts";
import type { IndexClient } from "../index/client.ts";
import type { ReleaseFile } from "../index/metadata.ts";

export const HOLD_BACK_PATH = "/held-back/simple/";
const SIMPLE_JSON = "application/vnd.pypi.simple.v1+json";

export interface HoldBackOptions {
  index: IndexClient;
  /** Uploads after this instant are hidden. */
  cutoff: Date;
  /** `--allow-upload-time`: normalised name → uploads accepted up to this time. */
  allowances: ReadonlyMap<string, Date>;
  /** Normalised name → versions the input pins exactly. */
  pinned: ReadonlyMap<string, readonly string[]>;
}

export interface HeldBackRelease {
  name: string;
  version: string;
  /** The newest upload among its hidden files. */
  uploadTime: Date;
}

/** An answer for pip. */
export interface SimpleAnswer {
  status: number;
  contentType: string;
  body: string;
}

export interface HoldBackIndex {
  readonly cutoff: Date;
  /** The page for a URL under HOLD_BACK_PATH (whatever its origin: the caller routes); undefined for any other path. */
  answer(url: URL): Promise<SimpleAnswer | undefined>;
  /** Releases whose every file was hidden, in the order pip asked for them. */
  heldBack(): HeldBackRelease[];
  /** Files listed although their upload time is unknown (the index gives none). */
  unknownUploadTime(): string[];
}

function visible(file: ReleaseFile, version: string, options: HoldBackOptions, name: string): boolean | "unknown" {
  if (!file.uploadTime) return "unknown";
  if (isAcceptedUpload(file.uploadTime, options.cutoff, options.allowances.get(name))) return true;
  return (options.pinned.get(name) ?? []).some((pin) => pin === version || compareVersions(pin, version) === 0);
}

function pageJson(name: string, files: readonly ReleaseFile[], versions: readonly string[]): string {
  return JSON.stringify({
    meta: { "api-version": "1.1" },
    name,
    versions,
    files: files.map((file) => ({
      filename: file.filename,
      url: file.url,
      hashes: file.sha256 ? { sha256: file.sha256 } : {},
      ...(file.requiresPython ? { "requires-python": file.requiresPython } : {}),
      yanked: file.yanked,
      ...(file.uploadTime ? { "upload-time": file.uploadTime.toISOString() } : {}),
    })),
  });
}

export function createHoldBackIndex(options: HoldBackOptions): HoldBackIndex {
  const held = new Map<string, HeldBackRelease>();
  const unknown = new Set<string>();
  const notFound = (body: string): SimpleAnswer => ({ status: 404, contentType: "text/plain", body });
  return {
    cutoff: options.cutoff,
    heldBack: () => [...held.values()],
    unknownUploadTime: () => [...unknown],
    async answer(url) {
      if (!url.pathname.startsWith(HOLD_BACK_PATH)) return undefined;
      const project = decodeURIComponent(url.pathname.slice(HOLD_BACK_PATH.length).replace(/\/$/, ""));
      if (project === "" || project.includes("/")) return notFound("only project pages are served here");
      const name = normalizeName(project);
      const found = await options.index.releases(name);
      if (found.status === "not-found") return notFound(`${name} is on no configured index`);
      if (found.status === "missing") return { status: 503, contentType: "text/plain", body: `the releases of ${name} could not be read` };
      const files: ReleaseFile[] = [];
      const versions: string[] = [];
      for (const [version, releaseFiles] of found.value.releases) {
        const kept = releaseFiles.filter((file) => visible(file, version, options, name) !== false);
        for (const file of kept) if (!file.uploadTime) unknown.add(file.filename);
        if (kept.length > 0) {
          files.push(...kept.filter((file) => file.url !== undefined));
          versions.push(version);
          continue;
        }
        const newest = releaseFiles.reduce<Date | undefined>((latest, file) => (file.uploadTime && (!latest || file.uploadTime > latest) ? file.uploadTime : latest), undefined);
        if (newest && !releaseFiles.every((file) => file.yanked)) held.set(`${name}==${version}`, { name: found.value.name ?? name, version, uploadTime: newest });
      }
      return { status: 200, contentType: SIMPLE_JSON, body: pageJson(name, files, versions) };
    },
  };
}
