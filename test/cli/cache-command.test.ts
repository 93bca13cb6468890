import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requireSandboxTools } from "../../src/sandbox/host-python.ts";
import { BUN, MAIN } from "./run-cli.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("cache clean", () => {
  test("on a read-only file system says what failed and how to fix it, never 'internal error' (exit 1)", async () => {
    const cache = mkdtempSync(join(tmpdir(), "pipcanary-ro-cache-"));
    dirs.push(cache);
    mkdirSync(join(cache, "http-v1", "ab"), { recursive: true });
    writeFileSync(join(cache, "http-v1", "ab", "abcdef.json"), "{}");
    const outer = [requireSandboxTools().bwrap, "--unshare-user", "--bind", "/", "/", "--ro-bind", cache, cache, "--proc", "/proc", "--dev", "/dev", "--"];
    const child = Bun.spawn([...outer, BUN, MAIN, "cache", "clean", "--cache-dir", cache], { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/root" }, stdout: "pipe", stderr: "pipe" });
    const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
    expect({ code, stdout }).toEqual({ code: 1, stdout: "" });
    expect(stderr).toContain(`pipcanary: error: cannot `);
    expect(stderr).toContain(`${cache}/http-v1`);
    expect(stderr).toContain(": the file system is read-only\npipcanary: hint: point the option that names this path (--cache-dir");
    expect(stderr).not.toContain("internal error");
    expect(readdirSync(join(cache, "http-v1", "ab"))).toEqual(["abcdef.json"]);
  }, 60_000);
});
