import { describe, expect, test } from "bun:test";
import { parseAllowUploadTime, parseBoolean, parseCoolDown, parseIsoTime, parsePositiveSeconds, parseProjectName } from "../../src/cli/values.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe("cool-down durations", () => {
  test("every form of duration (see test/core/time.test.ts), 1d12h included", () => {
    expect(parseCoolDown("7")).toBe(7 * DAY);
    expect(parseCoolDown("1d12h")).toBe(36 * HOUR);
    expect(parseCoolDown("P1DT12H")).toBe(36 * HOUR);
  });

  test("nonsense is refused", () => {
    for (const text of ["", "-1", "seven", "7 days", "P", "PT", "P7", "7y", "1e3"]) {
      expect(() => parseCoolDown(text)).toThrow("is not a number of days or a duration");
    }
    expect(() => parseCoolDown("P1M")).toThrow("years and months have no fixed length");
  });
});

describe("ISO times", () => {
  test("without an offset they are UTC, as PyPI prints them", () => {
    expect(parseIsoTime("2025-09-27T18:37:40").toISOString()).toBe("2025-09-27T18:37:40.000Z");
    expect(parseIsoTime("2025-09-27").toISOString()).toBe("2025-09-27T00:00:00.000Z");
    expect(parseIsoTime("2025-09-27 18:37").toISOString()).toBe("2025-09-27T18:37:00.000Z");
  });

  test("offsets and fractions are honoured", () => {
    expect(parseIsoTime("2025-09-27T18:37:40+02:00").toISOString()).toBe("2025-09-27T16:37:40.000Z");
    expect(parseIsoTime("2025-09-27T18:37:40-0130").toISOString()).toBe("2025-09-27T20:07:40.000Z");
    expect(parseIsoTime("2025-09-27T18:37:40.123456Z").toISOString()).toBe("2025-09-27T18:37:40.123Z");
  });

  test("impossible dates are refused", () => {
    expect(() => parseIsoTime("2025-02-30")).toThrow("not a valid date");
    expect(() => parseIsoTime("2025-13-01")).toThrow("not a valid date");
    expect(() => parseIsoTime("2025-01-01T24:00")).toThrow("not a valid date");
    expect(() => parseIsoTime("yesterday")).toThrow("not an ISO 8601 time");
  });
});

describe("--allow-upload-time NAME<=ISO", () => {
  test("as the cool-down warning prints it", () => {
    const allowed = parseAllowUploadTime("MarkupSafe<=2025-09-27T18:37:40");
    expect(allowed.name).toBe("MarkupSafe");
    expect(allowed.normalizedName).toBe("markupsafe");
    expect(allowed.until.toISOString()).toBe("2025-09-27T18:37:40.000Z");
  });

  test("malformed values", () => {
    expect(() => parseAllowUploadTime("MarkupSafe=2025-09-27")).toThrow("NAME<=ISO-TIME");
    expect(() => parseAllowUploadTime("Markup Safe<=2025-09-27")).toThrow("not a valid project name");
    expect(() => parseAllowUploadTime("MarkupSafe<=soon")).toThrow("not an ISO 8601 time");
  });
});

describe("small values", () => {
  test("booleans, seconds and names", () => {
    expect(parseBoolean("YES")).toBe(true);
    expect(parseBoolean("0")).toBe(false);
    expect(() => parseBoolean("maybe")).toThrow("not a boolean");
    expect(parsePositiveSeconds("2.5")).toBe(2.5);
    expect(() => parsePositiveSeconds("0")).toThrow("not a positive number of seconds");
    expect(() => parsePositiveSeconds("")).toThrow("not a positive number of seconds");
    expect(parseProjectName("Zope.Interface")).toBe("zope-interface");
    expect(() => parseProjectName("-x")).toThrow("not a valid project name");
  });
});
