import { describe, expect, test } from "bun:test";
import { allowanceMap, isAcceptedUpload, suggestRelease, uploadCutoff, versionUploadTime, type SuggestionQuery } from "../../src/audit/cooldown.ts";
import type { ReleaseFile } from "../../src/index/metadata.ts";

const DAY = 86_400_000;

function file(version: string, uploaded: string | undefined, extra: Partial<ReleaseFile> = {}): ReleaseFile {
  return {
    filename: `demo-${version}-py3-none-any.whl`,
    url: undefined,
    version,
    uploadTime: uploaded ? new Date(uploaded) : undefined,
    yanked: false,
    requiresPython: undefined,
    sha256: undefined,
    size: undefined,
    ...extra,
  };
}

describe("a version's upload time", () => {
  test("is the newest upload of its non-yanked files", () => {
    const files = [
      file("1.0", "2025-01-01T00:00:00Z"),
      file("1.0", "2025-01-03T00:00:00Z", { filename: "demo-1.0.tar.gz" }),
      file("1.0", "2025-02-01T00:00:00Z", { filename: "demo-1.0-cp312-none-any.whl", yanked: true }),
    ];
    expect(versionUploadTime(files)?.toISOString()).toBe("2025-01-03T00:00:00.000Z");
  });

  test("falls back to yanked files when every file is yanked, and is undefined without times", () => {
    expect(versionUploadTime([file("1.0", "2025-01-01T00:00:00Z", { yanked: true })])?.toISOString()).toBe("2025-01-01T00:00:00.000Z");
    expect(versionUploadTime([file("1.0", undefined)])).toBeUndefined();
    expect(versionUploadTime([])).toBeUndefined();
  });
});

describe("the cut-off", () => {
  const now = new Date("2026-04-05T00:00:00Z");

  test("now minus the cool-down, or --max-upload-time when that is earlier", () => {
    expect(uploadCutoff(now, 7 * DAY, undefined)?.toISOString()).toBe("2026-03-29T00:00:00.000Z");
    expect(uploadCutoff(now, 7 * DAY, new Date("2026-01-01T00:00:00Z"))?.toISOString()).toBe("2026-01-01T00:00:00.000Z");
    expect(uploadCutoff(now, 7 * DAY, new Date("2026-04-04T00:00:00Z"))?.toISOString()).toBe("2026-03-29T00:00:00.000Z");
    expect(uploadCutoff(now, 0, new Date("2026-01-01T00:00:00Z"))?.toISOString()).toBe("2026-01-01T00:00:00.000Z");
    expect(uploadCutoff(now, 0, undefined)).toBeUndefined();
  });

  test("an allowance vouches for uploads up to its time, compared in whole seconds", () => {
    const cutoff = new Date("2026-03-29T00:00:00Z");
    const upload = new Date("2026-04-02T18:49:14.870Z");
    expect(isAcceptedUpload(new Date("2026-03-28T00:00:00Z"), cutoff, undefined)).toBe(true);
    expect(isAcceptedUpload(upload, cutoff, undefined)).toBe(false);
    expect(isAcceptedUpload(upload, cutoff, new Date("2026-04-02T18:49:14Z"))).toBe(true);
    expect(isAcceptedUpload(upload, cutoff, new Date("2026-04-02T18:49:13Z"))).toBe(false);
    expect(isAcceptedUpload(upload, undefined, undefined)).toBe(true);
  });
});

describe("the suggested replacement", () => {
  const releases = new Map<string, ReleaseFile[]>([
    ["1.0", [file("1.0", "2024-01-01T00:00:00Z")]],
    ["1.1", [file("1.1", "2024-06-01T00:00:00Z", { requiresPython: ">=3.12" })]],
    ["1.2", [file("1.2", "2024-07-01T00:00:00Z", { yanked: true })]],
    ["1.3rc1", [file("1.3rc1", "2024-08-01T00:00:00Z")]],
    ["1.3", [file("1.3", "2024-08-15T00:00:00Z", { requiresPython: ">=3.8" })]],
    ["1.4", [file("1.4", "2026-03-30T00:00:00Z")]],
    ["2.0", [file("2.0", "2026-04-04T00:00:00Z")]],
    ["2.1", []],
  ]);
  const base: SuggestionQuery = {
    releases,
    current: "2.0",
    specifiers: [],
    pythonVersion: "3.11.7",
    allowPrereleases: false,
    cutoff: new Date("2026-03-29T00:00:00Z"),
    allowedUntil: undefined,
  };

  test("is the newest release before the cut-off", () => {
    expect(suggestRelease(base)).toBe("1.3");
  });

  test("honours every specifier on the package", () => {
    expect(suggestRelease({ ...base, specifiers: [">=1.0", "!=1.3"] })).toBe("1.0");
    expect(suggestRelease({ ...base, specifiers: [">=1.3,<3", "<1.3"] })).toBeUndefined();
  });

  test("a pin of the version being replaced does not block the search", () => {
    expect(suggestRelease({ ...base, specifiers: ["==2.0"] })).toBe("1.3");
    expect(suggestRelease({ ...base, specifiers: ["===2.0", ">=1.0,<1.2"] })).toBe("1.0");
  });

  test("skips yanked releases, releases without files, and requires-python misfits", () => {
    expect(suggestRelease({ ...base, pythonVersion: "3.12.1", specifiers: ["<1.3"] })).toBe("1.1");
    expect(suggestRelease({ ...base, pythonVersion: "3.11.7", specifiers: ["<1.3"] })).toBe("1.0");
    expect(suggestRelease({ ...base, pythonVersion: "3.7.0" })).toBe("1.0");
  });

  test("skips prereleases unless allowed", () => {
    expect(suggestRelease({ ...base, specifiers: [">1.2", "!=1.3"] })).toBeUndefined();
    expect(suggestRelease({ ...base, specifiers: [">1.2", "!=1.3"], allowPrereleases: true })).toBe("1.3rc1");
  });

  test("an allowance admits a newer replacement", () => {
    expect(suggestRelease({ ...base, allowedUntil: new Date("2026-03-30T00:00:00Z") })).toBe("1.4");
  });
});

describe("--allow-upload-time allowances", () => {
  test("repeating a project, however written, keeps the latest time", () => {
    const allowance = (name: string, normalizedName: string, until: string) => ({ name, normalizedName, until: new Date(until) });
    const map = allowanceMap([allowance("a", "a", "2025-01-01"), allowance("A", "a", "2025-02-01"), allowance("a", "a", "2024-01-01")]);
    expect(map.get("a")?.toISOString()).toBe("2025-02-01T00:00:00.000Z");
  });
});
