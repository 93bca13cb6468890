/** The built-in names plugin: its onRequirements hook, run by the plugin host as the names stage runs it. */
import { describe, expect, test } from "bun:test";
import type { Finding } from "../../src/core/finding.ts";
import { namesPlugin } from "../../src/plugins/builtin/names.ts";
import { PluginHost } from "../../src/plugins/host.ts";
import { requirement } from "./fixtures.ts";

function check(name: string, allowNames: readonly string[] = []): Promise<Finding[]> {
  return new PluginHost([namesPlugin(allowNames)]).requirements([requirement(name)]);
}

describe("homoglyph names", () => {
  test("a Cyrillic е in requests is blocked with the character, its name and the imitated project", async () => {
    expect(await check("rеquests")).toEqual([
      {
        source: "name",
        ruleId: "static.name.homoglyph",
        severity: "block",
        description: "Package name with non-ASCII look-alike characters.",
        explanation:
          'requirements.txt:3: the package name "rеquests" contains "е" (U+0435 CYRILLIC SMALL LETTER IE, which looks like "e"). ' +
          'It imitates "requests". Python package names are ASCII; a name like this exists only to be mistaken for another ' +
          "package. Type the name again by hand.",
        package: "rеquests",
        phase: "static",
        subject: { kind: "name", name: "rеquests", detail: 'non-ASCII character "е" (U+0435 CYRILLIC SMALL LETTER IE, which looks like "e")' },
      },
    ]);
  });

  test("a Cyrillic о in boto3 names U+043E and boto3", async () => {
    const [finding] = await check("bоto3");
    expect(finding?.explanation).toContain('"о" (U+043E CYRILLIC SMALL LETTER O, which looks like "o")');
    expect(finding?.explanation).toContain('It imitates "boto3".');
  });

  test("a non-ASCII character without a Latin look-alike is still blocked", async () => {
    const [finding] = await check("pkg✓");
    expect(finding?.severity).toBe("block");
    expect(finding?.explanation).toContain("U+2713");
    expect(finding?.explanation).not.toContain("It imitates");
  });

  test("--allow-name does not accept a homoglyph name", async () => {
    expect((await check("rеquests", ["rеquests", "requests"])).map((f) => [f.ruleId, f.severity])).toEqual([["static.name.homoglyph", "block"]]);
  });
});

describe("typosquatting", () => {
  test.each([
    ["reqeusts", "requests", "two swapped letters", "block"],
    ["nunpy", "numpy", "one changed letter", "block"],
    ["flasks", "flask", "one extra letter", "block"],
    ["python-requests", "requests", "a py/python prefix or suffix", "warn"],
    ["scikitlearn", "scikit-learn", "separators", "warn"],
  ])("%s: %s, %s, %s", async (name, popular, how, severity) => {
    const findings = await check(name);
    expect(findings.map((f) => [f.source, f.ruleId, f.severity as string, f.description])).toEqual([["name", "static.name.typosquat", severity, "Package name close to a popular project."]]);
    expect(findings[0]?.subject).toEqual({ kind: "name", name, detail: `${how} from "${popular}"` });
  });

  test("a one-edit look-alike blocks and says how to accept it; --allow-name makes it a note", async () => {
    const [blocked] = await check("Reqeusts");
    expect(blocked?.severity).toBe("block");
    expect(blocked?.package).toBe("reqeusts");
    expect(blocked?.explanation).toBe(
      'requirements.txt:3: "Reqeusts" is not "requests" but differs from it by two swapped letters. Typosquatting packages use names like this; ' +
        'check that you meant "Reqeusts" and not "requests". If you really meant "Reqeusts", accept it with --allow-name reqeusts.',
    );
    const [accepted] = await check("Reqeusts", ["reqeusts"]);
    expect(accepted?.severity).toBe("info");
    expect(accepted?.explanation).toEndWith(" Accepted with --allow-name.");
    expect((await check("Reqeusts", ["nunpy"])).map((f) => f.severity)).toEqual(["block"]);
  });

  test("a name that is no look-alike has no finding", async () => {
    expect(await check("acme-internal-tools")).toEqual([]);
    expect(await check("requests")).toEqual([]);
  });
});
