/**
 * Lock files as scan input: every package a lock pins becomes an exact `==` requirement with the
 * lock's file hashes (so pip runs in hash-checking mode) and its marker, at the lock's file:line;
 * the indexes the lock records become the index options.
 */
import { InputError, type Origin } from "../core/errors.ts";
import type { Requirement } from "../core/requirements.ts";
import { parseRequirement } from "./requirement.ts";

export interface LockInput {
  requirements: Requirement[];
  /** Simple-index URLs the lock's packages come from, first seen first. */
  indexUrls: string[];
}

export interface LockedPin {
  name: string;
  version: string;
  hashes: string[];
  /** PEP 508 marker text, when the package is only installed in some environments. */
  marker: string | undefined;
  /** A direct archive URL instead of an index release. */
  url?: string;
  origin: Origin;
}

const HASH = /^(sha256|sha384|sha512):([0-9a-f]+)$/;

/** `algorithm:hexdigest` as pip's --hash takes it; anything else names the lock's line. */
export function lockHash(text: string, origin: Origin): string {
  const hash = text.trim().toLowerCase();
  if (!HASH.test(hash)) throw new InputError(`hash '${text}' is not sha256:, sha384: or sha512: followed by hex digits`, origin, "regenerate the lock file");
  return hash;
}

export function pinnedRequirement(pin: LockedPin): Requirement {
  if (pin.hashes.length === 0) {
    throw new InputError(`${pin.name} ${pin.version} has no file hashes`, pin.origin, "regenerate the lock file with hashes; pipcanary enforces the hashes a lock records");
  }
  const target = pin.url !== undefined ? ` @ ${pin.url}` : `==${pin.version}`;
  const marker = pin.marker !== undefined ? `${pin.url !== undefined ? " " : ""}; ${pin.marker}` : "";
  return parseRequirement(`${pin.name}${target}${marker}`, pin.origin, { hashes: [...new Set(pin.hashes)] });
}
