import { InputError } from "../core/errors.ts";
import { normalizeName } from "../core/names.ts";
import { parseTimestamp } from "../index/timestamp.ts";

/** The cool-down options and the seeds' time format; every time is a UTC instant. */

/** `2025-09-27T18:37:40`: the seeds' form, UTC, whole seconds. */
export function formatTimestamp(time: Date): string {
  return time.toISOString().slice(0, 19);
}

/** Whole UTC seconds: the printed form has no fraction, so comparisons against it must not either. */
export function toWholeSeconds(time: Date): number {
  return Math.floor(time.getTime() / 1000);
}

const DAY_MS = 86_400_000;
const UNITS = ["w", "d", "h", "m", "s"] as const;
const UNIT_MS: Record<(typeof UNITS)[number], number> = { w: 7 * DAY_MS, d: DAY_MS, h: 3_600_000, m: 60_000, s: 1000 };
const AMOUNT = String.raw`(\d+(?:[.,]\d+)?)`;
const COMPACT_DURATION = new RegExp(`^(?:${AMOUNT}w)?(?:${AMOUNT}d)?(?:${AMOUNT}h)?(?:${AMOUNT}m)?(?:${AMOUNT}s)?$`, "i");
const ISO_DURATION = new RegExp(`^P(?:${AMOUNT}W)?(?:${AMOUNT}D)?(?:T(?=\\d)(?:${AMOUNT}H)?(?:${AMOUNT}M)?(?:${AMOUNT}S)?)?$`, "i");

const COOL_DOWN_HINT =
  "give a number of days (7, 0 disables), a duration such as 7d, 36h or 1d12h, or an ISO 8601 duration such as P7D or PT36H";

/**
 * `--cool-down-phase-days`: a number of days, a compact duration (`7d`, `36h`, `1d12h`, `2w`) or
 * an ISO 8601 duration (`P7D`, `PT36H`, `P1DT12H`, `P2W`). Returns milliseconds; 0 disables.
 */
export function parseCoolDown(text: string): number {
  const value = text.trim();
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * DAY_MS);
  const match = /\d/.test(value) ? (COMPACT_DURATION.exec(value) ?? ISO_DURATION.exec(value)) : null;
  if (match) return sumUnits(match.slice(1));
  const yearsOrMonths = /^P[^T]*[YM]/i.test(value);
  throw new InputError(
    `invalid cool-down '${text}'${yearsOrMonths ? ": years and months have no fixed length" : ""}`,
    undefined,
    COOL_DOWN_HINT,
  );
}

function sumUnits(amounts: ReadonlyArray<string | undefined>): number {
  let total = 0;
  UNITS.forEach((unit, index) => {
    const amount = amounts[index];
    if (amount !== undefined) total += Number(amount.replace(",", ".")) * UNIT_MS[unit];
  });
  return Math.round(total);
}

const TIME_HINT = "use ISO 8601 such as 2025-09-27T18:37:40 (UTC) or 2025-09-27T20:37:40+02:00";

/** `--max-upload-time ISO`: releases uploaded after it count as too recent. */
export function parseMaxUploadTime(text: string): Date {
  const time = parseTimestamp(text);
  if (!time) throw new InputError(`invalid --max-upload-time '${text}'`, undefined, TIME_HINT);
  return time;
}

export interface UploadTimeAllowance {
  /** PEP 503 normalised. */
  name: string;
  /** The newest upload time the user vouched for. */
  until: Date;
}

const PROJECT_NAME = /^([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9])$/;

/** `--allow-upload-time 'NAME<=ISO'`: the user vouches for uploads of NAME up to that time. */
export function parseAllowUploadTime(text: string): UploadTimeAllowance {
  const example = "e.g. --allow-upload-time='MarkupSafe<=2025-09-27T18:37:40'";
  const separator = text.indexOf("<=");
  if (separator < 0) throw new InputError(`invalid --allow-upload-time '${text}': expected NAME<=TIME`, undefined, example);
  const name = text.slice(0, separator).trim();
  const timeText = text.slice(separator + 2).trim();
  if (!PROJECT_NAME.test(name)) {
    throw new InputError(`invalid --allow-upload-time '${text}': '${name}' is not a project name`, undefined, example);
  }
  const until = parseTimestamp(timeText);
  if (!until) throw new InputError(`invalid --allow-upload-time '${text}': '${timeText}' is not a time`, undefined, `${TIME_HINT}; ${example}`);
  return { name: normalizeName(name), until };
}

/** One allowance per project; repeating a project keeps the latest time given. */
export function allowanceMap(allowances: readonly UploadTimeAllowance[]): Map<string, Date> {
  const map = new Map<string, Date>();
  for (const { name, until } of allowances) {
    const previous = map.get(name);
    if (!previous || previous.getTime() < until.getTime()) map.set(name, until);
  }
  return map;
}
