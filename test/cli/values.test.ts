import { describe, expect, test } from "bun:test";
import { parseAllowUploadTime, parseBoolean, parseCoolDown, parseIsoTime, parsePositiveSeconds, parseProjectName } from "../../src/cli/values.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe("cool-down durations", () => {
  const cases: Array<[string, number]> = [
    ["7", 7 * DAY],
    ["0", 0],
    ["1.5", 1.5 * DAY],
    ["7d", 7 * DAY],
    ["36h", 36 * HOUR],
    ["90m", 90 * 60_000],
    ["2w", 14 * DAY],
    ["45s", 45_000],
    ["P7D", 7 * DAY],
    ["p7d", 7 * DAY],
    ["PT36H", 36 * HOUR],
    ["P1DT12H", 36 * HOUR],
    ["P1W", 7 * DAY],
    ["PT30M", 30 * 60_000],
  ];
  for (const [text, ms] of cases) {
    test(`${text}`, () => expect(parseCoolDown(text)).toBe(ms));
  }

  test("nonsense is refused", () => {
    for (const text of ["", "-1", "seven", "7 days", "P", "PT", "P7", "7y", "1e3"]) {
      expect(() => parseCoolDown(text)).toThrow("is not a number of days or a duration");
    }
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
    expect(allowed.notAfter.toISOString()).toBe("2025-09-27T18:37:40.000Z");
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
