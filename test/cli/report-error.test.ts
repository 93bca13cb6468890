import { afterEach, describe, expect, test } from "bun:test";
import { setLogLevel } from "../../src/cli/output.ts";
import { reportError } from "../../src/cli/report-error.ts";
import { InputError, MissingPreconditionError } from "../../src/core/errors.ts";

const originalWrite = process.stderr.write.bind(process.stderr);

async function captureStderr(action: () => Promise<number>): Promise<{ code: number; text: string }> {
  let text = "";
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    text += typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk);
    const callback = rest.find((arg): arg is () => void => typeof arg === "function");
    callback?.();
    return true;
  }) as typeof process.stderr.write;
  try {
    return { code: await action(), text };
  } finally {
    process.stderr.write = originalWrite;
  }
}

afterEach(() => setLogLevel("info"));

describe("reportError", () => {
  test("a user error prints message and hint, no stack, and its exit code", async () => {
    const { code, text } = await captureStderr(() => reportError(new MissingPreconditionError("bwrap", "apt-get install -y bubblewrap")));
    expect(code).toBe(6);
    expect(text).toBe("pipcanary: error: bwrap is required but was not found\npipcanary: hint: install it with: apt-get install -y bubblewrap\n");
  });

  test("anything else is an internal error: exit 2, stack only at debug", async () => {
    const plain = await captureStderr(() => reportError(new TypeError("x is undefined")));
    expect(plain).toEqual({ code: 2, text: "pipcanary: internal error: x is undefined\n" });
    setLogLevel("debug");
    const debug = await captureStderr(() => reportError(new TypeError("x is undefined")));
    expect(debug.code).toBe(2);
    expect(debug.text).toStartWith("pipcanary: internal error: x is undefined\nTypeError: x is undefined\n    at ");
  });

  test("a file-system error on a path is the user's to fix: what failed, why, and the options that move it", async () => {
    const readOnly = Object.assign(new Error("EROFS: read-only file system, unlink '/ro/cache/x.json'"), { code: "EROFS", syscall: "unlink", path: "/ro/cache/x.json" });
    const { code, text } = await captureStderr(() => reportError(readOnly));
    expect(code).toBe(1);
    expect(text).toStartWith("pipcanary: error: cannot unlink /ro/cache/x.json: the file system is read-only\npipcanary: hint: point the option that names this path (--cache-dir, ");
    const pathless = Object.assign(new Error("EROFS"), { code: "EROFS" });
    expect((await captureStderr(() => reportError(pathless))).code).toBe(2);
  });

  test("silent prints nothing but keeps the code", async () => {
    setLogLevel("silent");
    expect(await captureStderr(() => reportError(new InputError("bad", { file: "r.txt", line: 3 })))).toEqual({ code: 1, text: "" });
  });
});
