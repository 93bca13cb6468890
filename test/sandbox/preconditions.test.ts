import { afterEach, describe, expect, test } from "bun:test";
import { MissingPreconditionError } from "../../src/core/errors.ts";
import { ExitCode } from "../../src/core/exit-codes.ts";
import { detectHostPython, requireSandboxTools } from "../../src/sandbox/host-python.ts";
import { useTempDirs } from "../harness/temp.ts";

describe("preconditions", () => {
  const tempDir = useTempDirs("pipcanary-preconditions");
  const path = process.env.PATH;
  afterEach(() => {
    process.env.PATH = path;
  });

  test("bwrap and strace are found on PATH", () => {
    const tools = requireSandboxTools();
    expect(tools.bwrap).toEndWith("/bwrap");
    expect(tools.strace).toEndWith("/strace");
  });

  test("without bwrap or strace: exit 6 and the apt-get command", () => {
    process.env.PATH = tempDir("empty-path");
    let error: unknown;
    try {
      requireSandboxTools();
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(MissingPreconditionError);
    expect((error as MissingPreconditionError).exitCode).toBe(ExitCode.MissingPrecondition);
    expect((error as MissingPreconditionError).hint).toContain("apt-get install -y bubblewrap strace");
  });

  test("the host Python is resolved to its real installation, with pip and its runner", () => {
    const python = detectHostPython();
    expect(python.executable).toMatch(/python3/);
    expect(python.pipRunner).toEndWith("/pip/__pip-runner__.py");
    expect(python.version).toMatch(/^3\.\d+$/);
    expect(python.fullVersion.startsWith(python.version)).toBe(true);
  });

  test("a missing interpreter is a missing precondition", () => {
    expect(() => detectHostPython("/nonexistent/python3")).toThrow(MissingPreconditionError);
  });
});
