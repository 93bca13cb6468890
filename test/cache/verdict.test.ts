import { describe, expect, test } from "bun:test";
import { decodeVerdictEntry, encodeVerdictEntry } from "../../src/cache/verdict.ts";
import { blockedVerdict, safeVerdict } from "./fixtures.ts";

const KEY = "k".repeat(64);

describe("verdict entries", () => {
  test("a verdict reads back exactly as written, blocked or not", () => {
    for (const verdict of [safeVerdict(), blockedVerdict()]) {
      expect(decodeVerdictEntry(KEY, encodeVerdictEntry(KEY, verdict))).toEqual({ ok: true, verdict });
    }
  });

  test("an entry filed under another key is foreign", () => {
    expect(decodeVerdictEntry("other", encodeVerdictEntry(KEY, safeVerdict()))).toEqual({ ok: false, reason: "filed under another key" });
  });

  test("torn, foreign-format and malformed entries are refused", () => {
    const text = encodeVerdictEntry(KEY, safeVerdict());
    expect(decodeVerdictEntry(KEY, text.slice(0, text.length / 2)).ok).toBe(false);
    expect(decodeVerdictEntry(KEY, JSON.stringify({ format: "something-else", key: KEY, verdict: safeVerdict() })).ok).toBe(false);
    const mutate = (change: (entry: { verdict: Record<string, unknown> }) => void) => {
      const entry = JSON.parse(text);
      change(entry);
      return decodeVerdictEntry(KEY, JSON.stringify(entry)).ok;
    };
    expect(mutate(() => {})).toBe(true);
    expect(mutate((entry) => void (entry.verdict.blocked = true))).toBe(false);
    expect(mutate((entry) => void (entry.verdict.madeAt = "yesterday"))).toBe(false);
    expect(mutate((entry) => void ((entry.verdict.findings as { severity: string }[])[0]!.severity = "fatal"))).toBe(false);
    expect(mutate((entry) => void ((entry.verdict.findings as { subject: unknown }[])[0]!.subject = { kind: "access" }))).toBe(false);
    expect(mutate((entry) => void ((entry.verdict.installed as { artifacts: { sha256: string }[] }[])[0]!.artifacts[0]!.sha256 = "not-a-hash"))).toBe(false);
  });
});
