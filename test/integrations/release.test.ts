/*
 * scripts/release.ts when bun cannot download the cross-target runtimes (an empty runtime cache and
 * a proxy on a closed loopback port): every missing target is named with its cause, the native
 * binary is still built, listed in SHA256SUMS and smoke-tested, and the script exits 1.
 */
import { expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { arch } from "node:os";
import { join } from "node:path";
import { useTempDirs } from "../harness/temp.ts";
import { BUN } from "../cli/run-cli.ts";
import { ROOT, runProcess } from "./ci-files.ts";

const tempDir = useTempDirs("pipcanary-release");

test("a target whose runtime cannot be fetched is reported; the native one is built, summed and smoke-tested", async () => {
  const dir = tempDir("out");
  const out = join(dir, "release");
  const native = `pipcanary-linux-${arch() === "arm64" ? "arm64" : "x64"}`;
  const closed = "http://127.0.0.1:9";
  const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir, TMPDIR: dir, BUN_INSTALL_CACHE_DIR: join(dir, "runtimes"), HTTPS_PROXY: closed, HTTP_PROXY: closed };
  const run = await runProcess([BUN, join(ROOT, "scripts", "release.ts"), "--out", out], { cwd: ROOT, env });
  expect(run.code).toBe(1);
  const others = ["pipcanary-linux-x64", "pipcanary-linux-arm64", "pipcanary-linux-x64-musl", "pipcanary-linux-arm64-musl"].filter((asset) => asset !== native);
  for (const asset of others) expect(run.stderr).toMatch(new RegExp(`FAILED  ${asset} \\(bun-linux-[a-z0-9-]+\\): .*Failed to download`));
  expect(run.stdout).toContain(`passed  smoke test of ${native}`);
  expect(readdirSync(out).sort()).toEqual(["SHA256SUMS", native]);
  const check = await runProcess(["sha256sum", "-c", "SHA256SUMS"], { cwd: out, env });
  expect(check.stdout.trim()).toBe(`${native}: OK`);
});
