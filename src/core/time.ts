/**
 * Times and durations as users and indexes write them. Every time is a UTC instant: PyPI's
 * `upload_time` carries no zone and means UTC, and so does a user-given time without a zone.
 * (`new Date("2025-09-27T18:37:40")` would read it as local time.)
 */

export const DAY_MS = 86_400_000;

const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*([Zz]|[+-]\d{2}(?::?\d{2})?)?$/;

/** Parses an ISO 8601 date or date-time; no zone means UTC. Returns undefined when it is not one. */
export function parseTimestamp(text: string): Date | undefined {
  const match = TIMESTAMP.exec(text.trim());
  if (!match) return undefined;
  const [, year, month, day, hour = "0", minute = "0", second = "0", fraction = "", zone] = match;
  const fields = [year, month, day, hour, minute, second].map(Number) as [number, number, number, number, number, number];
  const [y, mo, d, h, mi, s] = fields;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return undefined;
  const millis = Number(fraction.padEnd(3, "0").slice(0, 3));
  let time = Date.UTC(y, mo - 1, d, h, mi, s, millis);
  if (new Date(time).getUTCDate() !== d) return undefined;
  if (zone && zone.toUpperCase() !== "Z") {
    const sign = zone.startsWith("-") ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    const offsetHours = Number(digits.slice(0, 2));
    const offsetMinutes = Number(digits.slice(2) || "0");
    if (offsetHours > 23 || offsetMinutes > 59) return undefined;
    time -= sign * (offsetHours * 60 + offsetMinutes) * 60_000;
  }
  return new Date(time);
}

/** `2025-09-27T18:37:40`: the printed form, UTC, whole seconds. */
export function formatTimestamp(time: Date): string {
  return time.toISOString().slice(0, 19);
}

/** Whole UTC seconds: the printed form has no fraction, so comparisons against it must not either. */
export function toWholeSeconds(time: Date): number {
  return Math.floor(time.getTime() / 1000);
}

const UNITS = ["w", "d", "h", "m", "s"] as const;
const UNIT_MS: Record<(typeof UNITS)[number], number> = { w: 7 * DAY_MS, d: DAY_MS, h: 3_600_000, m: 60_000, s: 1000 };
const AMOUNT = String.raw`(\d+(?:[.,]\d+)?)`;
const COMPACT_DURATION = new RegExp(`^(?:${AMOUNT}\\s*w)?(?:${AMOUNT}\\s*d)?(?:${AMOUNT}\\s*h)?(?:${AMOUNT}\\s*m)?(?:${AMOUNT}\\s*s)?$`, "i");
const ISO_DURATION = new RegExp(`^P(?:${AMOUNT}W)?(?:${AMOUNT}D)?(?:T(?=\\d)(?:${AMOUNT}H)?(?:${AMOUNT}M)?(?:${AMOUNT}S)?)?$`, "i");

/**
 * A number of days (`7`, `1.5`), a compact duration (`7d`, `36h`, `1d12h`, `2w`) or an ISO 8601
 * duration (`P7D`, `PT36H`, `P1DT12H`, `P2W`), in milliseconds; undefined when it is none of
 * these. Years and months are refused: they have no fixed length.
 */
export function parseDuration(text: string): number | undefined {
  const value = text.trim();
  if (/^\d+(?:\.\d+)?$/.test(value)) return Math.round(Number(value) * DAY_MS);
  const match = /\d/.test(value) ? (COMPACT_DURATION.exec(value) ?? ISO_DURATION.exec(value)) : null;
  if (!match) return undefined;
  let total = 0;
  UNITS.forEach((unit, index) => {
    const amount = match[index + 1];
    if (amount !== undefined) total += Number(amount.replace(",", ".")) * UNIT_MS[unit];
  });
  return Math.round(total);
}
