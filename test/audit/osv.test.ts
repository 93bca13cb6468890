import { describe, expect, test } from "bun:test";
import { asOsvRecord, fixedVersionsFor, isAffected, rangeAffects, type OsvEvent, type OsvRecord } from "../../src/audit/osv.ts";

function record(affected: OsvRecord["affected"], extra: Partial<OsvRecord> = {}): OsvRecord {
  return { id: "GHSA-test-0000-0000", affected, ...extra };
}

function pypi(name: string, events: OsvEvent[], versions?: string[]): NonNullable<OsvRecord["affected"]>[number] {
  return { package: { ecosystem: "PyPI", name }, ranges: [{ type: "ECOSYSTEM", events }], ...(versions ? { versions } : {}) };
}

describe("OSV range evaluation", () => {
  test("introduced 0 and fixed: everything below the fix", () => {
    const events = [{ introduced: "0" }, { fixed: "2.0" }];
    expect(rangeAffects(events, "0.1")).toBe(true);
    expect(rangeAffects(events, "1.9.9")).toBe(true);
    expect(rangeAffects(events, "2.0")).toBe(false);
    expect(rangeAffects(events, "2.0.1")).toBe(false);
  });

  test("prereleases and dev releases sort before their final release", () => {
    const events = [{ introduced: "2.0" }, { fixed: "2.1" }];
    expect(rangeAffects(events, "2.0rc1")).toBe(false);
    expect(rangeAffects(events, "2.0.dev3")).toBe(false);
    expect(rangeAffects(events, "2.0")).toBe(true);
    expect(rangeAffects(events, "2.1rc1")).toBe(true);
    expect(rangeAffects(events, "2.1.dev0")).toBe(true);
    expect(rangeAffects(events, "2.1")).toBe(false);
    expect(rangeAffects(events, "2.0.post1")).toBe(true);
  });

  test("epochs outrank every release number", () => {
    const events = [{ introduced: "0" }, { fixed: "1!1.0" }];
    expect(rangeAffects(events, "99.0")).toBe(true);
    expect(rangeAffects(events, "1!0.5")).toBe(true);
    expect(rangeAffects(events, "1!1.0")).toBe(false);
    expect(rangeAffects([{ introduced: "1!0" }], "2024.1")).toBe(false);
  });

  test("last_affected includes that version and nothing after it", () => {
    const events = [{ introduced: "1.0" }, { last_affected: "1.4" }];
    expect(rangeAffects(events, "1.4")).toBe(true);
    expect(rangeAffects(events, "1.4.post1")).toBe(false);
    expect(rangeAffects(events, "1.5")).toBe(false);
    expect(rangeAffects(events, "0.9")).toBe(false);
  });

  test("unsorted events are evaluated in PEP 440 order", () => {
    const events = [{ fixed: "1.10" }, { introduced: "2.0" }, { fixed: "2.2" }, { introduced: "1.2" }];
    expect(rangeAffects(events, "1.1")).toBe(false);
    expect(rangeAffects(events, "1.9")).toBe(true);
    expect(rangeAffects(events, "1.10")).toBe(false);
    expect(rangeAffects(events, "1.11")).toBe(false);
    expect(rangeAffects(events, "2.1")).toBe(true);
    expect(rangeAffects(events, "2.2")).toBe(false);
  });

  test("limit bounds an open range from above; limit * means no bound", () => {
    expect(rangeAffects([{ introduced: "1.0" }, { limit: "3.0" }], "2.5")).toBe(true);
    expect(rangeAffects([{ introduced: "1.0" }, { limit: "3.0" }], "3.0")).toBe(false);
    expect(rangeAffects([{ introduced: "1.0" }, { limit: "3.0" }], "3.1")).toBe(false);
    expect(rangeAffects([{ introduced: "1.0" }, { limit: "*" }], "9.0")).toBe(true);
  });

  test("local versions sort after their public version", () => {
    expect(rangeAffects([{ introduced: "0" }, { fixed: "1.0.1" }], "1.0+ubuntu1")).toBe(true);
    expect(rangeAffects([{ introduced: "1.0" }, { fixed: "1.0.post1" }], "1.0+local")).toBe(true);
    expect(rangeAffects([{ introduced: "0" }, { fixed: "1.0" }], "1.0+local")).toBe(false);
  });

  test("events with versions that are not PEP 440 are ignored, not fatal", () => {
    expect(rangeAffects([{ introduced: "0" }, { fixed: "not-a-version" }], "5.0")).toBe(true);
    expect(rangeAffects([{ introduced: "garbage" }], "5.0")).toBe(false);
  });
});

describe("OSV records", () => {
  test("explicit versions lists match by PEP 440 equality", () => {
    const vuln = record([{ package: { ecosystem: "PyPI", name: "Demo_Pkg" }, versions: ["1.0", "1.1.0"] }]);
    expect(isAffected(vuln, "demo-pkg", "1.0.0")).toBe(true);
    expect(isAffected(vuln, "demo.pkg", "1.1")).toBe(true);
    expect(isAffected(vuln, "demo-pkg", "1.2")).toBe(false);
    expect(isAffected(vuln, "demo-pkg", "1.0+local")).toBe(false);
  });

  test("only PyPI entries for this PEP 503 name count", () => {
    const vuln = record([
      { package: { ecosystem: "npm", name: "demo" }, ranges: [{ type: "SEMVER", events: [{ introduced: "0" }] }] },
      pypi("other", [{ introduced: "0" }]),
      pypi("Demo", [{ introduced: "0" }, { fixed: "1.0" }]),
    ]);
    expect(isAffected(vuln, "demo", "0.5")).toBe(true);
    expect(isAffected(vuln, "demo", "1.5")).toBe(false);
    expect(isAffected(vuln, "other", "1.5")).toBe(true);
  });

  test("GIT ranges are not evaluated against PyPI versions", () => {
    const vuln = record([{ package: { ecosystem: "PyPI", name: "demo" }, ranges: [{ type: "GIT", events: [{ introduced: "0" }] }] }]);
    expect(isAffected(vuln, "demo", "1.0")).toBe(false);
  });

  test("fixed versions come in record order without repeats", () => {
    const vuln = record([pypi("werkzeug", [{ introduced: "0" }, { fixed: "2.3.8" }, { introduced: "3.0.0" }, { fixed: "3.0.1" }]), pypi("werkzeug", [{ introduced: "0" }, { fixed: "2.3.8" }])]);
    expect(fixedVersionsFor(vuln, "Werkzeug")).toEqual(["2.3.8", "3.0.1"]);
  });

  test("asOsvRecord reads untrusted documents and rejects non-records", () => {
    expect(asOsvRecord({ summary: "no id" })).toBeUndefined();
    expect(asOsvRecord([1, 2])).toBeUndefined();
    const parsed = asOsvRecord({ id: "PYSEC-1", aliases: ["CVE-1", 7], affected: [{ package: { ecosystem: "PyPI", name: "x" }, ranges: [{ type: "ECOSYSTEM", events: [{ introduced: 0 }, { fixed: "1.0" }] }] }] });
    expect(parsed?.aliases).toEqual(["CVE-1"]);
    expect(parsed && isAffected(parsed, "x", "0.9")).toBe(true);
  });
});
