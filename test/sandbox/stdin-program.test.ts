import { describe, expect, test } from "bun:test";
import { stdinProgram } from "../../src/sandbox/stdin-program.ts";

const ECHO = "import json, sys\ndef echo(*args):\n    sys.stdout.write(json.dumps(args))\n";

function run(program: string): unknown {
  const child = Bun.spawnSync(["python3", "-I"], { stdin: new TextEncoder().encode(program), stdout: "pipe", stderr: "pipe" });
  expect(child.stderr.toString()).toBe("");
  return JSON.parse(child.stdout.toString());
}

describe("a program on stdin gets its arguments as Python literals", () => {
  test("strings with quotes, backslashes, newlines and non-ASCII; numbers, booleans, None, nesting", () => {
    const value = { path: '/tmp/a "b"\\c\nd', name: "naïve 😀", list: [1, 2.5, -3], flags: [true, false, null], nested: { empty: {} } };
    expect(run(stdinProgram(ECHO, "echo", value, 7))).toEqual([value, 7]);
  });

  test("undefined members are left out, as in JSON", () => {
    expect(run(stdinProgram(ECHO, "echo", { kept: 1, dropped: undefined }))).toEqual([{ kept: 1 }]);
  });

  test("values without a literal are refused, not mangled", () => {
    expect(() => stdinProgram(ECHO, "echo", Number.NaN)).toThrow(TypeError);
    expect(() => stdinProgram(ECHO, "echo", new Map())).toThrow(TypeError);
  });
});
