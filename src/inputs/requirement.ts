import { InputError, type Origin } from "../core/errors.ts";
import { normalizeName } from "../core/names.ts";
import { formatMarker } from "./markers.ts";
import { parseMarkerText, parseRequirementText } from "./pep508/parser.ts";
import { Pep508SyntaxError } from "./pep508/tokenizer.ts";
import type { MarkerNode, Requirement } from "../core/requirements.ts";

export interface RequirementExtras {
  hashes?: string[];
  constraint?: boolean;
}

/**
 * Parses one PEP 508 requirement. Syntax errors become InputErrors naming the origin, the text
 * and the column; direct references are checked by checkDirectReference.
 */
export function parseRequirement(text: string, origin: Origin, extras: RequirementExtras = {}): Requirement {
  let parsed;
  try {
    parsed = parseRequirementText(text);
  } catch (error) {
    throw syntaxError(error, "requirement", text, origin);
  }
  const marker = parsed.marker;
  const requirement: Requirement = {
    name: parsed.name,
    normalizedName: normalizeName(parsed.name),
    extras: parsed.extras,
    specifier: parsed.specifier,
    url: parsed.url,
    marker,
    markerText: marker ? formatMarker(marker) : undefined,
    hashes: extras.hashes ?? [],
    origin,
    constraint: extras.constraint ?? false,
  };
  if (requirement.url !== undefined) checkDirectReference(requirement.url, origin);
  return requirement;
}

/** Parses a marker expression on its own; errors name the origin and column. */
export function parseMarker(text: string, origin: Origin): MarkerNode {
  try {
    return parseMarkerText(text);
  } catch (error) {
    throw syntaxError(error, "marker", text, origin);
  }
}

function syntaxError(error: unknown, what: string, text: string, origin: Origin): unknown {
  if (!(error instanceof Pep508SyntaxError)) return error;
  return new InputError(`invalid ${what} '${text}': ${error.message} (column ${error.column})`, origin);
}

const VCS_SCHEME = /^(git|hg|svn|bzr)\+/i;

/**
 * pipcanary scans released distributions fetched over HTTP(S). A local path could be changed
 * after the scan and a VCS checkout is not a fixed artifact, so both are refused up front.
 */
export function checkDirectReference(url: string, origin: Origin): void {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url)?.[1]?.toLowerCase();
  if (scheme === "file") {
    throw new InputError(`local file reference '${url}' is not supported: pipcanary only scans distributions downloaded from an index or an https URL`, origin, "publish the package to an index, or refer to it by an https URL");
  }
  if (scheme !== undefined && VCS_SCHEME.test(url)) {
    throw new InputError(`VCS reference '${url}' is not supported: a checkout is not a fixed artifact that can be scanned and then installed`, origin, "pin a released version, or refer to a built archive by its https URL");
  }
  if (scheme !== "https" && scheme !== "http") {
    throw new InputError(`'${url}' is not an http(s) URL`, origin, "write a direct reference as: name @ https://host/path/file.whl");
  }
  try {
    new URL(url);
  } catch {
    throw new InputError(`'${url}' is not a valid URL`, origin);
  }
}

/** The requirement as one PEP 508 line (without hashes), as pip reads it. */
export function formatRequirement(requirement: Requirement): string {
  const extras = requirement.extras.length > 0 ? `[${requirement.extras.join(",")}]` : "";
  const marker = requirement.markerText ? `; ${requirement.markerText}` : "";
  if (requirement.url !== undefined) return `${requirement.name}${extras} @ ${requirement.url}${marker ? ` ${marker}` : ""}`;
  return `${requirement.name}${extras}${requirement.specifier}${marker}`;
}
