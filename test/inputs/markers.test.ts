import { describe, expect, test } from "bun:test";
import { InputError, MissingPreconditionError } from "../../src/core/errors.ts";
import { applicableRequirements, evaluateMarker, markerApplies } from "../../src/inputs/markers.ts";
import { parseMarker, parseRequirement } from "../../src/inputs/requirement.ts";
import { getTargetEnvironment, readTargetEnvironment } from "../../src/inputs/target-environment.ts";
import type { TargetEnvironment } from "../../src/core/requirements.ts";

const linux311: TargetEnvironment = {
  implementation_name: "cpython",
  implementation_version: "3.11.7",
  os_name: "posix",
  platform_machine: "x86_64",
  platform_release: "6.1.0-18-amd64",
  platform_system: "Linux",
  platform_version: "#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1",
  python_full_version: "3.11.7",
  platform_python_implementation: "CPython",
  python_version: "3.11",
  sys_platform: "linux",
};

const origin = { file: "t", line: 1 };

function holds(marker: string, env: TargetEnvironment = linux311, extras: string[] = []): boolean {
  return evaluateMarker(parseMarker(marker, origin), env, extras);
}

describe("version-valued variables compare as PEP 440 versions", () => {
  test("numeric, not lexicographic", () => {
    expect(holds('python_version >= "3.8"')).toBe(true);
    expect(holds('python_version < "3.9"')).toBe(false);
    expect(holds('python_version > "3.2"')).toBe(true);
    expect(holds('python_full_version >= "3.11.10"')).toBe(false);
    expect(holds('python_full_version == "3.11.7"')).toBe(true);
    expect(holds('implementation_version ~= "3.11.0"')).toBe(true);
  });

  test("wildcards and !=", () => {
    expect(holds('python_version == "3.*"')).toBe(true);
    expect(holds('python_version != "3.11"')).toBe(false);
    expect(holds('python_full_version != "3.11.*"')).toBe(false);
  });

  test("reversed operands keep their meaning", () => {
    expect(holds('"3.8" < python_version')).toBe(true);
    expect(holds('"3.12" <= python_version')).toBe(false);
  });

  test("pre-releases of the target compare correctly", () => {
    const rc = { ...linux311, python_full_version: "3.13.0rc1", python_version: "3.13" };
    expect(holds('python_full_version >= "3.13"', rc)).toBe(false);
    expect(holds('python_full_version >= "3.13.0rc1"', rc)).toBe(true);
  });

  test("platform_release that is not a PEP 440 version falls back to string comparison", () => {
    expect(holds('platform_release == "6.1.0-18-amd64"')).toBe(true);
    expect(holds('platform_release >= "6"')).toBe(true);
    const parsable = { ...linux311, platform_release: "10.2" };
    expect(holds('platform_release >= "9.0"', parsable)).toBe(true);
  });
});

describe("string-valued variables", () => {
  test("equality and containment", () => {
    expect(holds('sys_platform == "linux"')).toBe(true);
    expect(holds('sys_platform == "win32" or os_name == "posix"')).toBe(true);
    expect(holds('sys_platform == "win32" and os_name == "posix"')).toBe(false);
    expect(holds('"arm" in platform_machine')).toBe(false);
    expect(holds('"x86" in platform_machine')).toBe(true);
    expect(holds('"aarch64" not in platform_machine')).toBe(true);
    expect(holds('platform_machine in "x86_64 aarch64"')).toBe(true);
  });

  test("a string variable is not compared as a version even if it looks like one", () => {
    const env = { ...linux311, platform_machine: "10" };
    expect(holds('platform_machine > "9"', env)).toBe(false);
  });

  test("~= on strings is an error, not a silent false", () => {
    expect(() => holds('os_name ~= "posix"')).toThrow(InputError);
  });

  test("and binds tighter than or when evaluated", () => {
    expect(holds('os_name == "posix" or os_name == "nt" and sys_platform == "win32"')).toBe(true);
    expect(holds('(os_name == "posix" or os_name == "nt") and sys_platform == "win32"')).toBe(false);
  });
});

describe("extra", () => {
  test("is empty without active extras", () => {
    expect(holds('extra == "test"')).toBe(false);
    expect(holds('extra == ""')).toBe(true);
  });

  test("compares PEP 685-normalised names and holds if any active extra matches", () => {
    expect(holds('extra == "Foo_Bar"', linux311, ["foo-bar"])).toBe(true);
    expect(holds('extra == "foo.bar"', linux311, ["FOO__BAR"])).toBe(true);
    expect(holds('extra == "docs"', linux311, ["test", "docs"])).toBe(true);
    expect(holds('extra == "docs" and python_version < "3"', linux311, ["docs"])).toBe(false);
  });
});

describe("the host python3's environment", () => {
  test("is read from the real interpreter, once", async () => {
    const env = await getTargetEnvironment();
    expect(env.python_version).toMatch(/^3\.\d+$/);
    expect(env.python_full_version.startsWith(env.python_version)).toBe(true);
    expect(env.sys_platform).toBe("linux");
    expect(env.os_name).toBe("posix");
    expect(env.implementation_name).toBe("cpython");
    expect(await getTargetEnvironment()).toBe(env);
    expect(holds(`python_version == "${env.python_version}"`, env)).toBe(true);
  });

  test("a missing interpreter is a missing precondition with the install command", async () => {
    const error = await readTargetEnvironment("/nonexistent/python3").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MissingPreconditionError);
    expect((error as MissingPreconditionError).exitCode).toBe(6);
    expect((error as MissingPreconditionError).hint).toContain("apt-get install");
  });
});

describe("requirements whose markers apply", () => {
  const requirements = ['a; sys_platform == "linux"', 'b; sys_platform == "win32"', "c"].map((text, index) => parseRequirement(text, { file: "r.txt", line: index + 1 }));

  test("only those whose marker holds on the target, all of them when the target is unknown", () => {
    expect(applicableRequirements(requirements, linux311).map((requirement) => requirement.name)).toEqual(["a", "c"]);
    expect(applicableRequirements(requirements, undefined).map((requirement) => requirement.name)).toEqual(["a", "b", "c"]);
    expect(markerApplies(requirements[1]!, undefined)).toBeUndefined();
  });

  test("an undefined comparison names the requirement's line", () => {
    const broken = parseRequirement('d; os_name ~= "posix"', { file: "r.txt", line: 7 });
    expect(() => applicableRequirements([broken], linux311)).toThrow("r.txt:7: marker comparison");
  });
});
