import type { ReleaseFile } from "../index/metadata.ts";
import { DAY_MS, toWholeSeconds } from "../core/time.ts";
import { compareVersions, isPrerelease, isValidSpecifier, satisfiesSpecifier, sortNewestFirst } from "./versions.ts";

/**
 * The cool-down check: a release uploaded after the cut-off (now minus the cool-down, or
 * `--max-upload-time` if earlier) is too recent unless the user vouched for it with
 * `--allow-upload-time`. For a too recent release we look for the newest one the user could
 * pin instead.
 */

export const DEFAULT_COOL_DOWN_DAYS = 7;
export const DEFAULT_COOL_DOWN_MS = DEFAULT_COOL_DOWN_DAYS * DAY_MS;

/** `--allow-upload-time 'NAME<=ISO'`: the user vouches for uploads of NAME up to `until`. */
export interface UploadTimeAllowance {
  /** As written, for the report. */
  name: string;
  normalizedName: string;
  until: Date;
}

/** One allowance per project (by normalised name); repeating a project keeps the latest time given. */
export function allowanceMap(allowances: readonly UploadTimeAllowance[]): Map<string, Date> {
  const map = new Map<string, Date>();
  for (const { normalizedName, until } of allowances) {
    const previous = map.get(normalizedName);
    if (!previous || previous.getTime() < until.getTime()) map.set(normalizedName, until);
  }
  return map;
}

/** Newest upload of the version's non-yanked files (of all files when every one is yanked), UTC. */
export function versionUploadTime(files: readonly ReleaseFile[]): Date | undefined {
  const live = files.filter((file) => !file.yanked);
  let newest: Date | undefined;
  for (const file of live.length > 0 ? live : files) {
    if (file.uploadTime && (!newest || file.uploadTime > newest)) newest = file.uploadTime;
  }
  return newest;
}

/** Uploads after the returned instant are too recent; undefined when no limit applies. */
export function uploadCutoff(now: Date, coolDownMs: number, maxUploadTime: Date | undefined): Date | undefined {
  const coolDown = coolDownMs > 0 ? new Date(now.getTime() - coolDownMs) : undefined;
  if (coolDown && maxUploadTime) return coolDown < maxUploadTime ? coolDown : maxUploadTime;
  return coolDown ?? maxUploadTime;
}

/** Compared in whole seconds, the precision in which times are printed and allowed. */
export function isAcceptedUpload(uploadTime: Date, cutoff: Date | undefined, allowedUntil: Date | undefined): boolean {
  if (!cutoff || uploadTime <= cutoff) return true;
  return allowedUntil !== undefined && toWholeSeconds(uploadTime) <= toWholeSeconds(allowedUntil);
}

export interface SuggestionQuery {
  /** Every release of the project with its files. */
  releases: ReadonlyMap<string, readonly ReleaseFile[]>;
  /** The too recent version being replaced. */
  current: string;
  /** The specifier of every requirement on this project. */
  specifiers: readonly string[];
  /** Target interpreter version (python_full_version) that requires-python must admit. */
  pythonVersion: string;
  allowPrereleases: boolean;
  cutoff: Date | undefined;
  allowedUntil: Date | undefined;
}

/**
 * The newest release that could replace `current`: uploaded before the cut-off, not yanked,
 * within every specifier, installable on the target Python, and no prerelease unless allowed.
 */
export function suggestRelease(query: SuggestionQuery): string | undefined {
  const specifiers = query.specifiers.map((specifier) => withoutPinOf(specifier, query.current));
  for (const version of sortNewestFirst(query.releases.keys())) {
    if (compareVersions(version, query.current) === 0) continue;
    if (!query.allowPrereleases && isPrerelease(version)) continue;
    if (!specifiers.every((specifier) => satisfiesSpecifier(version, specifier, query.allowPrereleases))) continue;
    const live = (query.releases.get(version) ?? []).filter((file) => !file.yanked);
    if (live.length === 0) continue;
    const uploaded = versionUploadTime(live);
    if (!uploaded || !isAcceptedUpload(uploaded, query.cutoff, query.allowedUntil)) continue;
    if (!live.some((file) => fitsPython(file, query.pythonVersion))) continue;
    return version;
  }
  return undefined;
}

/**
 * A requirement that pins exactly the too recent version (`==3.0.3` in a lock) says which release
 * is installed, not which ones are acceptable: replacing that pin is the point of the suggestion.
 */
function withoutPinOf(specifier: string, current: string): string {
  return specifier
    .split(",")
    .map((clause) => clause.trim())
    .filter((clause) => {
      const pin = /^===?\s*(\S+)$/.exec(clause);
      return !(pin && !pin[1]?.includes("*") && (pin[1] === current || compareVersions(pin[1] ?? "", current) === 0));
    })
    .join(",");
}

/** A file fits when it declares no requires-python, or one the target satisfies (pip ignores unparseable ones). */
function fitsPython(file: ReleaseFile, pythonVersion: string): boolean {
  if (!file.requiresPython) return true;
  return !isValidSpecifier(file.requiresPython) || satisfiesSpecifier(pythonVersion, file.requiresPython, true);
}
