import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { passEnvDigests, pluginFilesDigest, rulePacksDigest, type VerdictKeyInputs, verdictKey } from "../../src/cache/verdict-key.ts";
import { parseRulePack } from "../../src/rules/loader.ts";
import { SHA_A, SHA_B } from "./fixtures.ts";

const BASE: VerdictKeyInputs = {
  artifactSha256s: [SHA_A, SHA_B],
  requirements: ["requests>=2", "tqdm"],
  rulesDigest: "rules-1",
  pipcanaryVersion: "0.1.0",
  interpreter: { path: "/usr/bin/python3.11", version: "3.11.2" },
  persona: { user: "runner", home: "/home/runner" },
  behaviour: {
    exerciseSeconds: 5,
    graceSeconds: 2,
    timeouts: { fetch: 600, install: 300, import: 120 },
    allowlist: [],
    allowNames: [],
    doNotScan: [],
    passEnv: [],
  },
};

describe("verdictKey", () => {
  test("the same inputs in another order give the same key", () => {
    const reordered = { ...BASE, artifactSha256s: [SHA_B, SHA_A], requirements: ["tqdm", "requests>=2"] };
    expect(verdictKey(reordered)).toBe(verdictKey(BASE));
    expect(verdictKey(BASE)).toMatch(/^[0-9a-f]{64}$/);
  });

  test("every input that changes behaviour changes the key", () => {
    const behaviour = BASE.behaviour;
    const variants: VerdictKeyInputs[] = [
      { ...BASE, artifactSha256s: [SHA_A] },
      { ...BASE, requirements: ["requests>=2", "tqdm[notebook]"] },
      { ...BASE, rulesDigest: "rules-2" },
      { ...BASE, pipcanaryVersion: "0.2.0" },
      { ...BASE, interpreter: { path: "/usr/bin/python3.11", version: "3.11.9" } },
      { ...BASE, interpreter: { path: "/opt/python/bin/python3", version: "3.11.2" } },
      { ...BASE, persona: { ...BASE.persona, user: "root" } },
      { ...BASE, persona: { ...BASE.persona, home: "/root" } },
      { ...BASE, behaviour: { ...behaviour, exerciseSeconds: 10 } },
      { ...BASE, behaviour: { ...behaviour, graceSeconds: 1 } },
      { ...BASE, behaviour: { ...behaviour, timeouts: { ...behaviour.timeouts, import: 60 } } },
      { ...BASE, behaviour: { ...behaviour, allowlist: ["tqdm"] } },
      { ...BASE, behaviour: { ...behaviour, allowNames: ["reqeusts"] } },
      { ...BASE, behaviour: { ...behaviour, doNotScan: ["tqdm"] } },
      { ...BASE, behaviour: { ...behaviour, passEnv: passEnvDigests(["TOKEN"], { TOKEN: "one" }) } },
      { ...BASE, behaviour: { ...behaviour, passEnv: passEnvDigests(["TOKEN"], { TOKEN: "two" }) } },
    ];
    const keys = new Set([verdictKey(BASE), ...variants.map(verdictKey)]);
    expect(keys.size).toBe(variants.length + 1);
  });

  test("pass-env values enter the key only as digests", () => {
    const [digest] = passEnvDigests(["TOKEN"], { TOKEN: "secret-value" });
    expect(digest?.name).toBe("TOKEN");
    expect(digest?.valueSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(digest)).not.toContain("secret-value");
    expect(passEnvDigests(["UNSET"], {})).toEqual([{ name: "UNSET", valueSha256: undefined }]);
  });
});

describe("what the rules digest covers", () => {
  const pack = (extra: string[]) => parseRulePack("org.yaml", ["pack: org", "api: ^1.0.0", "rules: []", ...extra, ""].join("\n"));

  test("a pack's exceptions change it; the same pack gives the same digest", () => {
    const plain = rulePacksDigest([pack([])]);
    expect(rulePacksDigest([pack([])])).toBe(plain);
    expect(rulePacksDigest([pack(["exceptions:", "  - rule: egress", "    packages: [x]", "    reason: r"])])).not.toBe(plain);
  });

  test("an edited plugin file changes the plugins' digest", () => {
    const dir = mkdtempSync(join(tmpdir(), "pipcanary-plugin-digest-"));
    try {
      const file = join(dir, "p.ts");
      writeFileSync(file, "export default 1;\n");
      const before = pluginFilesDigest([file]);
      expect(pluginFilesDigest([file])).toBe(before);
      writeFileSync(file, "export default 2;\n");
      expect(pluginFilesDigest([file])).not.toBe(before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
