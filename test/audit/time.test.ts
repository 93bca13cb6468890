import { describe, expect, test } from "bun:test";
import { InputError } from "../../src/core/errors.ts";
import { allowanceMap, formatTimestamp, parseAllowUploadTime, parseCoolDown, parseMaxUploadTime } from "../../src/audit/time.ts";
import { parseTimestamp } from "../../src/index/timestamp.ts";
import { restoreTimezoneAfterEach } from "../index/fixture-data.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
restoreTimezoneAfterEach();

describe("timestamps are UTC instants", () => {
  test("PyPI's zone-less upload_time means UTC, whatever the local zone", () => {
    for (const zone of ["UTC", "Asia/Kolkata", "America/Los_Angeles", "Pacific/Kiritimati"]) {
      process.env.TZ = zone;
      expect(parseTimestamp("2025-09-27T18:37:40")?.toISOString()).toBe("2025-09-27T18:37:40.000Z");
      expect(formatTimestamp(new Date(Date.UTC(2025, 8, 27, 18, 37, 40, 999)))).toBe("2025-09-27T18:37:40");
    }
  });

  test("zones and fractions", () => {
    expect(parseTimestamp("2025-09-27T18:37:40.123456Z")?.toISOString()).toBe("2025-09-27T18:37:40.123Z");
    expect(parseTimestamp("2025-09-27T20:37:40+02:00")?.toISOString()).toBe("2025-09-27T18:37:40.000Z");
    expect(parseTimestamp("2025-09-27T13:07:40-0530")?.toISOString()).toBe("2025-09-27T18:37:40.000Z");
    expect(parseTimestamp("2025-09-28T00:07:40+05:30")?.toISOString()).toBe("2025-09-27T18:37:40.000Z");
    expect(parseTimestamp("2025-09-27 18:37")?.toISOString()).toBe("2025-09-27T18:37:00.000Z");
    expect(parseTimestamp("2025-09-27")?.toISOString()).toBe("2025-09-27T00:00:00.000Z");
  });

  test("rejects what is not a time", () => {
    for (const text of ["yesterday", "2025-13-01", "2025-02-30T00:00:00", "2025-09-27T25:00:00", "2025-09-27T18:37:40+25:00", "1695839860"]) {
      expect(parseTimestamp(text)).toBeUndefined();
    }
  });
});

describe("--cool-down-phase-days", () => {
  test("days, compact durations and ISO 8601 durations", () => {
    expect(parseCoolDown("7")).toBe(7 * DAY);
    expect(parseCoolDown("0")).toBe(0);
    expect(parseCoolDown("1.5")).toBe(36 * HOUR);
    expect(parseCoolDown("7d")).toBe(7 * DAY);
    expect(parseCoolDown("36h")).toBe(36 * HOUR);
    expect(parseCoolDown("1d12h")).toBe(36 * HOUR);
    expect(parseCoolDown("2w")).toBe(14 * DAY);
    expect(parseCoolDown("90m")).toBe(90 * 60_000);
    expect(parseCoolDown("P7D")).toBe(7 * DAY);
    expect(parseCoolDown("PT36H")).toBe(36 * HOUR);
    expect(parseCoolDown("P1DT12H")).toBe(36 * HOUR);
    expect(parseCoolDown("p2w")).toBe(14 * DAY);
  });

  test("invalid values are input errors with the fix", () => {
    for (const text of ["", "-1", "seven", "7 days", "P", "PT", "P1DT", "7x"]) {
      expect(() => parseCoolDown(text)).toThrow(InputError);
    }
    expect(() => parseCoolDown("P1M")).toThrow(/years and months have no fixed length/);
    try {
      parseCoolDown("soon");
    } catch (error) {
      expect((error as InputError).exitCode).toBe(1);
      expect((error as InputError).hint).toContain("P7D");
    }
  });
});

describe("--allow-upload-time and --max-upload-time", () => {
  test("NAME<=ISO with a PEP 503 normalised name", () => {
    const allowance = parseAllowUploadTime("MarkupSafe<=2025-09-27T18:37:40");
    expect(allowance.name).toBe("markupsafe");
    expect(allowance.until.toISOString()).toBe("2025-09-27T18:37:40.000Z");
    expect(parseAllowUploadTime("Zope.Interface <= 2025-09-27T20:37:40+02:00")).toEqual({ name: "zope-interface", until: new Date("2025-09-27T18:37:40Z") });
  });

  test("clear errors", () => {
    expect(() => parseAllowUploadTime("MarkupSafe=2025-09-27")).toThrow(/expected NAME<=TIME/);
    expect(() => parseAllowUploadTime("Markup Safe<=2025-09-27")).toThrow(/not a project name/);
    expect(() => parseAllowUploadTime("MarkupSafe<=last week")).toThrow(/'last week' is not a time/);
    expect(() => parseMaxUploadTime("2025-99-01")).toThrow(/invalid --max-upload-time/);
    expect(parseMaxUploadTime("2025-09-01T00:00:00+02:00").toISOString()).toBe("2025-08-31T22:00:00.000Z");
  });

  test("repeating a project keeps the latest time", () => {
    const map = allowanceMap([parseAllowUploadTime("a<=2025-01-01"), parseAllowUploadTime("A<=2025-02-01"), parseAllowUploadTime("a<=2024-01-01")]);
    expect(map.get("a")?.toISOString()).toBe("2025-02-01T00:00:00.000Z");
  });
});
