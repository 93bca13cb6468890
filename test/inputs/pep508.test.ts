import { describe, expect, test } from "bun:test";
import { InputError } from "../../src/core/errors.ts";
import { formatRequirement, parseMarker, parseRequirement } from "../../src/inputs/requirement.ts";
import { formatMarker } from "../../src/inputs/markers.ts";

const origin = { file: "requirements.txt", line: 7 };

function parse(text: string) {
  return parseRequirement(text, origin);
}

function errorOf(text: string): string {
  try {
    parse(text);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as InputError).message;
  }
  throw new Error(`'${text}' parsed without error`);
}

describe("names and extras", () => {
  test("a bare name", () => {
    const requirement = parse("requests");
    expect(requirement.name).toBe("requests");
    expect(requirement.normalizedName).toBe("requests");
    expect(requirement.specifier).toBe("");
    expect(requirement.extras).toEqual([]);
    expect(requirement.url).toBeUndefined();
    expect(requirement.marker).toBeUndefined();
    expect(requirement.origin).toEqual(origin);
    expect(requirement.constraint).toBe(false);
  });

  test("names keep their spelling and are PEP 503 normalised", () => {
    const requirement = parse("Zope.Interface_Extra");
    expect(requirement.name).toBe("Zope.Interface_Extra");
    expect(requirement.normalizedName).toBe("zope-interface-extra");
  });

  test("extras with whitespace", () => {
    expect(parse("requests [ socks , security ]").extras).toEqual(["socks", "security"]);
    expect(parse("requests[]").extras).toEqual([]);
  });

  test("non-ASCII letters in a name are kept as written, not a syntax error", () => {
    const cyrillic = parse("r\u0435quests>=2"); // Cyrillic е
    expect(cyrillic.name).toBe("r\u0435quests");
    expect(cyrillic.specifier).toBe(">=2");
    expect(parse("b\u043eto3").name).toBe("b\u043eto3"); // Cyrillic о
    expect(parse("\uff52equests").name).toBe("\uff52equests"); // fullwidth r
  });

  test("a name must start with a letter or digit", () => {
    expect(errorOf("-requests")).toContain("expected a package name at the start of the requirement");
    expect(errorOf("")).toContain("column 1");
  });
});

describe("version specifiers", () => {
  test("clauses are validated and whitespace removed", () => {
    expect(parse("requests >= 2.31 , < 3").specifier).toBe(">=2.31,<3");
    expect(parse("requests(>=2.31,<3)").specifier).toBe(">=2.31,<3");
    expect(parse("requests ( == 2.* )").specifier).toBe("==2.*");
    expect(parse("foo~=1.4.2").specifier).toBe("~=1.4.2");
    expect(parse("foo===1.0-weird").specifier).toBe("===1.0-weird");
    expect(parse("foo!=1.0+local").specifier).toBe("!=1.0+local");
    expect(parse("foo==1!2.0rc1.post3.dev4").specifier).toBe("==1!2.0rc1.post3.dev4");
  });

  test("invalid clauses say why and where", () => {
    expect(errorOf("foo>=")).toContain("expected a version after '>='");
    expect(errorOf("foo>=1.0.*")).toContain("'.*' suffix is only allowed with == and !=");
    expect(errorOf("foo~=1")).toContain("'~=' needs at least two release segments");
    expect(errorOf("foo>=1.0+local")).toContain("local version label");
    expect(errorOf("foo==1.0x!")).toContain("not a valid PEP 440 version");
    expect(errorOf("foo>=1,")).toContain("after ','");
    expect(errorOf("foo (>=1")).toContain("')' to close the version specifier");
  });

  test("the column points at the problem", () => {
    expect(errorOf("foo >= 1.0, <= x.y")).toContain("(column 13)");
    expect(errorOf("foo bar")).toContain("(column 5)");
    expect(errorOf("foo bar")).toContain("found 'bar'");
  });

  test("the error names the origin and the text", () => {
    expect(errorOf("foo bar")).toStartWith("requirements.txt:7: invalid requirement 'foo bar':");
  });
});

describe("URL references", () => {
  test("name @ url with extras and marker", () => {
    const requirement = parse('pkg[cli] @ https://example.org/pkg-1.0-py3-none-any.whl#sha256=abc ; python_version >= "3.8"');
    expect(requirement.url).toBe("https://example.org/pkg-1.0-py3-none-any.whl#sha256=abc");
    expect(requirement.extras).toEqual(["cli"]);
    expect(requirement.markerText).toBe('python_version >= "3.8"');
    expect(requirement.specifier).toBe("");
  });

  test("a marker after a URL needs whitespace before ';' (the ';' is otherwise part of the URL)", () => {
    expect(parse("pkg @ https://example.org/a.whl;x").url).toBe("https://example.org/a.whl;x");
  });

  test("file:, VCS and other schemes are refused with a reason", () => {
    expect(errorOf("pkg @ file:///tmp/pkg.whl")).toContain("local file reference");
    expect(errorOf("pkg @ git+https://github.com/x/y")).toContain("VCS reference");
    expect(errorOf("pkg @ ftp://example.org/a.whl")).toContain("not an http(s) URL");
    expect(errorOf("pkg @")).toContain("expected a URL after '@'");
  });
});

describe("markers", () => {
  test("and binds tighter than or", () => {
    const marker = parseMarker('os_name == "a" or os_name == "b" and os_name == "c"', origin);
    expect(marker.type).toBe("or");
    if (marker.type !== "or") return;
    expect(marker.right.type).toBe("and");
  });

  test("parentheses, both quote styles, in / not in, reversed operands", () => {
    const text = `(sys_platform == 'linux' or "win32" == sys_platform) and 'arm' not in platform_machine and "64" in platform_machine`;
    expect(formatMarker(parseMarker(text, origin))).toBe(
      '(sys_platform == "linux" or "win32" == sys_platform) and "arm" not in platform_machine and "64" in platform_machine',
    );
  });

  test("a literal containing a double quote keeps single quotes", () => {
    expect(formatMarker(parseMarker(`platform_version == 'say "hi"'`, origin))).toBe(`platform_version == 'say "hi"'`);
  });

  test("legacy dotted variable names map to PEP 508 names", () => {
    const marker = parseMarker('os.name == "posix" and sys.platform == "linux" and platform.python_implementation == "CPython"', origin);
    expect(formatMarker(marker)).toBe('os_name == "posix" and sys_platform == "linux" and platform_python_implementation == "CPython"');
  });

  test("no whitespace needed around operators", () => {
    expect(parse('foo>=1;python_version<"3.12"').markerText).toBe('python_version < "3.12"');
  });

  test("marker errors say what was expected", () => {
    expect(errorOf('foo; python_versio == "3"')).toContain("expected a marker variable");
    expect(errorOf('foo; python_version = "3"')).toContain("expected a marker operator");
    expect(errorOf('foo; (python_version == "3"')).toContain("')' to close the marker group");
    expect(errorOf('foo; python_version == "3" and')).toContain("expected a marker variable");
    expect(errorOf('foo; os_name not "posix"')).toContain("expected 'in' after 'not'");
    expect(errorOf('foo; os_name not"posix"')).toContain("whitespace after 'not'");
    expect(errorOf('foo; python_version == "3')).toContain("expected a marker variable");
    expect(errorOf("foo;")).toContain("column 5");
  });
});

describe("formatRequirement", () => {
  test("round-trips through the parser", () => {
    for (const text of ["foo", "foo[a,b]>=1,<2", 'foo>=1; python_version < "3.12"', 'pkg[x] @ https://example.org/p.whl ; os_name == "posix"']) {
      const formatted = formatRequirement(parse(text));
      expect(formatRequirement(parse(formatted))).toBe(formatted);
    }
    expect(formatRequirement(parse('foo >= 1 ; python_version<"3"'))).toBe('foo>=1; python_version < "3"');
  });
});
