import type { Requirement } from "../core/requirements.ts";
import { compare, explain, satisfies, valid, validRange } from "@renovatebot/pep440";

/**
 * PEP 440 helpers that never throw: metadata from an index or a vulnerability database may hold
 * version strings that are not PEP 440 (legacy releases), and one such string must not abort an audit.
 */

export function isValidVersion(version: string): boolean {
  return valid(version) !== null;
}

/** PEP 440 order; undefined when either side is not a valid version. */
export function compareVersions(a: string, b: string): number | undefined {
  if (!isValidVersion(a) || !isValidVersion(b)) return undefined;
  return compare(a, b);
}

export function isPrerelease(version: string): boolean {
  const parsed = explain(version);
  return parsed !== null && (parsed.is_prerelease || parsed.is_devrelease);
}

/** True when `version` satisfies the PEP 440 specifier set ("" allows everything). */
export function satisfiesSpecifier(version: string, specifier: string, allowPrereleases: boolean): boolean {
  if (!isValidVersion(version)) return false;
  if (specifier.trim() === "") return allowPrereleases || !isPrerelease(version);
  try {
    return satisfies(version, specifier, { prereleases: allowPrereleases });
  } catch {
    return false;
  }
}

/** Newest first; invalid versions sort last so they are never preferred. */
export function sortNewestFirst(versions: Iterable<string>): string[] {
  return [...versions].sort((a, b) => {
    const order = compareVersions(b, a);
    if (order !== undefined) return order;
    return Number(isValidVersion(b)) - Number(isValidVersion(a));
  });
}

export function isValidSpecifier(specifier: string): boolean {
  try {
    return validRange(specifier);
  } catch {
    return false;
  }
}

const PIN = /^\s*===?\s*([^\s,*;]+)\s*$/;

/** The exact version a requirement pins, or undefined when it allows more than one. */
export function pinnedVersion(requirement: Requirement): string | undefined {
  if (requirement.url !== undefined) return undefined;
  return PIN.exec(requirement.specifier)?.[1];
}
