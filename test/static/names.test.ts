import { describe, expect, test } from "bun:test";
import type { Requirement } from "../../src/core/requirements.ts";
import { checkPackageName, checkRequirementNames, describeCharacter, imitatedName } from "../../src/static/package-names.ts";

function requirement(name: string, line = 3): Requirement {
  return {
    name, normalizedName: name.toLowerCase(), extras: [], specifier: "", url: undefined, marker: undefined, markerText: undefined,
    hashes: [], origin: { file: "requirements.txt", line }, constraint: false,
  };
}

describe("homoglyph names", () => {
  test("a Cyrillic е in requests is blocked with the character, its name and the imitated project", () => {
    const [finding, ...rest] = checkRequirementNames([requirement("rеquests")]);
    expect(rest).toEqual([]);
    expect(finding?.ruleId).toBe("static.name.homoglyph");
    expect(finding?.severity).toBe("block");
    expect(finding?.phase).toBe("static");
    expect(finding?.subject).toEqual({
      kind: "name",
      name: "rеquests",
      detail: 'non-ASCII character "е" (U+0435 CYRILLIC SMALL LETTER IE, which looks like "e")',
    });
    expect(finding?.explanation).toBe(
      'requirements.txt:3: the package name "rеquests" contains "е" (U+0435 CYRILLIC SMALL LETTER IE, which looks like "e"). ' +
        'It imitates "requests". Python package names are ASCII; a name like this exists only to be mistaken for another ' +
        "package. Type the name again by hand.",
    );
  });

  test("a Cyrillic о in boto3 names U+043E and boto3", () => {
    const [finding] = checkPackageName("bоto3");
    expect(finding?.explanation).toContain('"о" (U+043E CYRILLIC SMALL LETTER O, which looks like "o")');
    expect(finding?.explanation).toContain('It imitates "boto3".');
  });

  test("Greek and fullwidth look-alikes are named too", () => {
    expect(describeCharacter("ο")).toEqual({ codePoint: "U+03BF", name: "GREEK SMALL LETTER OMICRON", ascii: "o" });
    expect(describeCharacter("ｒ")).toEqual({ codePoint: "U+FF52", name: "FULLWIDTH LATIN SMALL LETTER R", ascii: "r" });
    expect(imitatedName("ｎｕｍｐｙ")).toBe("numpy");
  });

  test("a non-ASCII character without a Latin look-alike is still blocked", () => {
    const [finding] = checkPackageName("pkg✓");
    expect(finding?.severity).toBe("block");
    expect(finding?.explanation).toContain("U+2713");
    expect(finding?.explanation).not.toContain("It imitates");
  });
});

describe("typosquatting", () => {
  test.each([
    ["reqeusts", "requests", "two swapped letters", "block"],
    ["requestss", "requests", "one extra letter", "block"],
    ["reqests", "requests", "one missing letter", "block"],
    ["nunpy", "numpy", "one changed letter", "block"],
    ["python-requests", "requests", "a py/python prefix or suffix", "warn"],
    ["requests-py", "requests", "a py/python prefix or suffix", "warn"],
    ["scikitlearn", "scikit-learn", "separators", "warn"],
    ["python_dateutil2", "python-dateutil", "one extra letter", "block"],
    ["acme-internal-tools", undefined, undefined, "none"],
  ])("%s", (name, popular, how, severity) => {
    const findings = checkPackageName(name);
    if (popular === undefined) {
      expect(findings).toEqual([]);
      return;
    }
    expect(findings.map((f) => [f.ruleId, f.severity as string])).toEqual([["static.name.typosquat", severity]]);
    expect(findings[0]?.subject).toEqual({ kind: "name", name, detail: `${how} from "${popular}"` });
  });

  test("a one-edit look-alike blocks and says how to accept it; --allow-name makes it a note", () => {
    const [blocked] = checkPackageName("Reqeusts");
    expect(blocked?.severity).toBe("block");
    expect(blocked?.explanation).toContain('If you really meant "Reqeusts", accept it with --allow-name reqeusts.');
    expect(checkPackageName("Reqeusts", undefined, ["reqeusts"]).map((f) => f.severity)).toEqual(["info"]);
    expect(checkPackageName("Reqeusts", undefined, ["nunpy"]).map((f) => f.severity)).toEqual(["block"]);
  });

  test("--allow-name does not accept a homoglyph name", () => {
    expect(checkPackageName("rеquests", undefined, ["rеquests", "requests"]).map((f) => [f.ruleId, f.severity])).toEqual([["static.name.homoglyph", "block"]]);
  });

  test.each(["requests", "Flask", "numpy", "python-dateutil", "requests-oauthlib", "attr", "six", "django-environ-x"])(
    "%s is not flagged",
    (name) => expect(checkPackageName(name)).toEqual([]),
  );

  test("flasks is one extra letter away from flask: blocking, like every one-edit look-alike", () => {
    expect(checkPackageName("flasks").map((f) => f.severity)).toEqual(["block"]);
  });
});
