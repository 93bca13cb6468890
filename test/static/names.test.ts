import { describe, expect, test } from "bun:test";
import { describeCharacter, imitatedName, lookalikeOf } from "../../src/static/package-names.ts";

describe("homoglyphs", () => {
  test("a Cyrillic е in requests: the character described, the imitated project named", () => {
    expect(lookalikeOf("rеquests")).toEqual({ kind: "homoglyph", characters: ['"е" (U+0435 CYRILLIC SMALL LETTER IE, which looks like "e")'], imitated: "requests" });
  });

  test("Greek and fullwidth look-alikes are named too", () => {
    expect(describeCharacter("ο")).toEqual({ codePoint: "U+03BF", name: "GREEK SMALL LETTER OMICRON", ascii: "o" });
    expect(describeCharacter("ｒ")).toEqual({ codePoint: "U+FF52", name: "FULLWIDTH LATIN SMALL LETTER R", ascii: "r" });
    expect(imitatedName("ｎｕｍｐｙ")).toBe("numpy");
  });

  test("a non-ASCII character without a Latin look-alike is a homoglyph that imitates nothing", () => {
    expect(lookalikeOf("pkg✓")).toEqual({ kind: "homoglyph", characters: ['"✓" (U+2713)'], imitated: undefined });
  });
});

describe("typosquatting", () => {
  test.each([
    ["reqeusts", "requests", "two swapped letters", true],
    ["requestss", "requests", "one extra letter", true],
    ["reqests", "requests", "one missing letter", true],
    ["nunpy", "numpy", "one changed letter", true],
    ["flasks", "flask", "one extra letter", true],
    ["python-requests", "requests", "a py/python prefix or suffix", false],
    ["requests-py", "requests", "a py/python prefix or suffix", false],
    ["scikitlearn", "scikit-learn", "separators", false],
    ["python_dateutil2", "python-dateutil", "one extra letter", true],
  ])("%s looks like %s (%s)", (name, popular, how, oneEdit) => {
    expect(lookalikeOf(name)).toEqual({ kind: "typosquat", target: { name: popular, how, oneEdit } });
  });

  test.each(["requests", "Flask", "numpy", "python-dateutil", "requests-oauthlib", "attr", "six", "django-environ-x", "acme-internal-tools"])(
    "%s is no look-alike",
    (name) => expect(lookalikeOf(name)).toBeUndefined(),
  );
});
