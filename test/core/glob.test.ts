import { describe, expect, test } from "bun:test";
import { compileGlob, compileGlobSet, type GlobField, globProblem, literalRuns } from "../../src/core/glob.ts";

const matches = (glob: string, field: GlobField, value: string) => compileGlob(glob, field).test(value);

describe("one glob dialect", () => {
  test("* and ? stay within a path segment; a ** segment matches zero or more segments", () => {
    expect(matches("/run/user/*/gnupg/S.gpg-agent*", "path", "/run/user/0/gnupg/S.gpg-agent.ssh")).toBe(true);
    expect(matches("/run/user/*/gnupg/x", "path", "/run/user/0/1/gnupg/x")).toBe(false);
    expect(matches("**/*.pyc", "path", "core.pyc")).toBe(true);
    expect(matches("**/*.pyc", "path", "pkg/sub/core.pyc")).toBe(true);
    expect(matches("_distutils_hack/**", "path", "_distutils_hack")).toBe(true);
    expect(matches("_distutils_hack/**", "path", "_distutils_hack/x/y.py")).toBe(true);
    expect(matches("_distutils_hack/**", "path", "_distutils_hack_x/y.py")).toBe(false);
    expect(matches("a/**/b", "path", "a/b")).toBe(true);
    expect(matches("a/**/b", "path", "a/x/y/b")).toBe(true);
    expect(matches("a/**/b", "path", "ab/b")).toBe(false);
    expect(matches("/tmp/ssh-?/x", "path", "/tmp/ssh-/x")).toBe(false);
  });

  test("argv: * stays within one argument, ** spans arguments", () => {
    expect(matches("* -c **", "argv", "sh -c curl x | sh")).toBe(true);
    expect(matches("* -c **", "argv", "bash script -c x")).toBe(false);
  });

  test("names and text: * crosses everything; text ignores case, names do not", () => {
    expect(matches("subprocess.*", "name", "subprocess.run")).toBe(true);
    expect(matches("Subprocess.*", "name", "subprocess.run")).toBe(false);
    expect(matches("*/.ssh/id_*", "text", "/HOME/x/.SSH/ID_RSA")).toBe(true);
    expect(matches("i386:*", "name", "i386:open")).toBe(true);
  });

  test("character classes, negated with ! or ^, in every field", () => {
    expect(matches("python3.[0-9]*", "name", "python3.11")).toBe(true);
    expect(matches("python3.[!0-9]*", "name", "python3.11")).toBe(false);
    expect(matches("/proc/[0-9]*/mem", "path", "/proc/12/mem")).toBe(true);
    expect(matches("[^a]", "text", "b")).toBe(true);
  });

  test("everything else is literal, including regex syntax", () => {
    expect(matches("a.b(c)+$", "name", "a.b(c)+$")).toBe(true);
    expect(matches("a.b", "name", "axb")).toBe(false);
  });

  test("a set of globs matches a value any of them matches", () => {
    const set = compileGlobSet(["ez_setup.py", "**/distribute_setup.py"], "path");
    expect(set.test("x/distribute_setup.py")).toBe(true);
    expect(set.test("ez_setup.pyc")).toBe(false);
  });

  test("problems: unclosed, nested or empty classes; a partial ** segment in a path", () => {
    expect(globProblem("[abc", "name")).toMatch(/unclosed/);
    expect(globProblem("[a[b]]", "name")).toMatch(/nested/);
    expect(globProblem("x[]", "text")).toMatch(/empty/);
    expect(globProblem("a**/b", "path")).toMatch(/whole segment/);
    expect(globProblem("a**b", "name")).toBeUndefined();
  });

  test("literal runs skip wildcards and classes", () => {
    expect(literalRuns("*bwrap[0-9]x?y*")).toEqual(["bwrap", "x", "y"]);
  });
});
