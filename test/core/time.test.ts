import { describe, expect, test } from "bun:test";
import { formatTimestamp, parseDuration, parseTimestamp, toWholeSeconds } from "../../src/core/time.ts";
import { restoreTimezoneAfterEach } from "../index/fixture-data.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
restoreTimezoneAfterEach();

describe("timestamps are UTC instants", () => {
  test("a zone-less time means UTC, whatever the local zone", () => {
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
    for (const text of ["yesterday", "2025-13-01", "2025-02-30T00:00:00", "2025-09-27T25:00:00", "2025-01-01T24:00", "2025-09-27T18:37:40+25:00", "1695839860"]) {
      expect(parseTimestamp(text)).toBeUndefined();
    }
  });

  test("whole seconds drop the fraction", () => {
    expect(toWholeSeconds(new Date(Date.UTC(2025, 8, 27, 18, 37, 40, 999)))).toBe(Date.UTC(2025, 8, 27, 18, 37, 40) / 1000);
  });
});

describe("durations", () => {
  const cases: Array<[string, number]> = [
    ["7", 7 * DAY],
    ["0", 0],
    ["1.5", 36 * HOUR],
    ["7d", 7 * DAY],
    ["7 d", 7 * DAY],
    ["36h", 36 * HOUR],
    ["1d12h", 36 * HOUR],
    ["1w2d", 9 * DAY],
    ["1,5d", 36 * HOUR],
    ["2w", 14 * DAY],
    ["90m", 90 * 60_000],
    ["45s", 45_000],
    ["P7D", 7 * DAY],
    ["p7d", 7 * DAY],
    ["PT36H", 36 * HOUR],
    ["P1DT12H", 36 * HOUR],
    ["p2w", 14 * DAY],
    ["PT30M", 30 * 60_000],
  ];
  for (const [text, ms] of cases) {
    test(text, () => expect(parseDuration(text)).toBe(ms));
  }

  test("what is not a duration", () => {
    for (const text of ["", "-1", "seven", "7 days", "P", "PT", "P7", "P1DT", "P1M", "P1Y", "7x", "7y", "1e3", "d12h1"]) {
      expect(parseDuration(text)).toBeUndefined();
    }
  });
});
