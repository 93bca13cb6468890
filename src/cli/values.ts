/**
 * Parsers for option values. Each returns the value or throws a plain Error whose message says
 * what was expected; the caller adds which option and which source it came from.
 */
import type { UploadTimeAllowance } from "../audit/cooldown.ts";
import { normalizeName } from "../core/names.ts";
import { parseDuration, parseTimestamp } from "../core/time.ts";

/** `7` (days), `7d`, `36h`, `1d12h`, `2w`, or ISO 8601 `P7D` / `PT36H` / `P1DT12H`, in milliseconds. */
export function parseCoolDown(text: string): number {
  const duration = parseDuration(text);
  if (duration !== undefined) return duration;
  const yearsOrMonths = /^P[^T]*[YM]/i.test(text.trim()) ? "; years and months have no fixed length" : "";
  throw new Error(`'${text}' is not a number of days or a duration (expected e.g. 7, 7d, 36h or P7D)${yearsOrMonths}`);
}

/** ISO 8601 date or date-time; without an offset it is UTC (PyPI's upload times are UTC). */
export function parseIsoTime(text: string): Date {
  const time = parseTimestamp(text);
  if (time) return time;
  if (/^\d{4}-\d{2}-\d{2}/.test(text.trim())) throw new Error(`'${text}' is not a valid date and time`);
  throw new Error(`'${text}' is not an ISO 8601 time (expected e.g. 2025-09-27T18:37:40 or 2025-09-27T18:37:40+02:00)`);
}

const PROJECT_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;

/** A PEP 508 project name, returned normalised. */
export function parseProjectName(text: string): string {
  const name = text.trim();
  if (!PROJECT_NAME.test(name)) throw new Error(`'${text}' is not a valid project name`);
  return normalizeName(name);
}

/** `NAME<=ISO` as printed in the cool-down suggestions. */
export function parseAllowUploadTime(text: string): UploadTimeAllowance {
  const at = text.indexOf("<=");
  if (at < 0) throw new Error(`'${text}' is not of the form NAME<=ISO-TIME (e.g. MarkupSafe<=2025-09-27T18:37:40)`);
  const name = text.slice(0, at).trim();
  return { name, normalizedName: parseProjectName(name), until: parseIsoTime(text.slice(at + 2)) };
}

export function parsePositiveSeconds(text: string): number {
  const value = Number(text.trim());
  if (text.trim() === "" || !Number.isFinite(value) || value <= 0) throw new Error(`'${text}' is not a positive number of seconds`);
  return value;
}

export function parseBoolean(text: string): boolean {
  const value = text.trim().toLowerCase();
  if (["1", "true", "yes", "on"].includes(value)) return true;
  if (["0", "false", "no", "off", ""].includes(value)) return false;
  throw new Error(`'${text}' is not a boolean (use true or false)`);
}

export function parseChoice<T extends string>(text: string, choices: readonly T[]): T {
  const value = text.trim().toLowerCase();
  const choice = choices.find((candidate) => candidate === value);
  if (!choice) throw new Error(`'${text}' is not one of ${choices.join(", ")}`);
  return choice;
}

export function parseIndexUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new Error(`'${text}' is not a URL`);
  }
  if (!["http:", "https:", "file:"].includes(url.protocol)) throw new Error(`'${text}' must be an http(s) or file URL`);
  return text.trim();
}

export function parseEnvName(text: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(text.trim())) throw new Error(`'${text}' is not an environment variable name`);
  return text.trim();
}

export function parseNonEmpty(text: string): string {
  if (text.trim() === "" || /\s/.test(text.trim())) throw new Error(`'${text}' must be a single word`);
  return text.trim();
}

export function parseHttpUrl(text: string): string {
  const url = parseIndexUrl(text);
  if (url.startsWith("file:")) throw new Error(`'${text}' must be an http(s) URL`);
  return url;
}

/** `--allow-known-malware` takes the id of an OpenSSF malicious-packages record, nothing else. */
export function parseMalwareId(text: string): string {
  const id = parseNonEmpty(text);
  if (!/^MAL-/i.test(id)) throw new Error(`'${text}' is not a known-malware record id (MAL-…); vulnerabilities are ignored with --ignore-vuln`);
  return id;
}
