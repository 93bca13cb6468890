/*
 * ci/github/install-pipcanary.sh, the action's download step, against a release directory served
 * on 127.0.0.1 the way GitHub serves release assets (…/download/v<version>/<asset> and
 * …/latest/download/<asset>): it installs only a binary whose sha256 SHA256SUMS confirms, and
 * downloads nothing when a pipcanary is already on PATH.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { arch } from "node:os";
import { join } from "node:path";
import { useTempDirs } from "../harness/temp.ts";
import { ROOT, pipcanaryBin, runProcess } from "./ci-files.ts";

const SCRIPT = join(ROOT, "ci", "github", "install-pipcanary.sh");
/** The glibc asset for this machine, as the script names it. */
const ASSET = `pipcanary-linux-${arch() === "arm64" ? "arm64" : "x64"}`;
const BINARY = "#!/bin/sh\necho 'pipcanary 9.9.9'\n";
const SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin";

const tempDir = useTempDirs("pipcanary-install-script");
/** Release files by version, then asset name. */
const releases = new Map<string, Map<string, string>>();
const requested: string[] = [];
let server: ReturnType<typeof Bun.serve>;

function sha256(content: string): string {
  return createHash("sha256").update(content).digest("hex");
}

beforeAll(() => {
  server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(request) {
      const path = new URL(request.url).pathname;
      requested.push(path);
      const match = /^\/releases\/(?:download\/v([^/]+)|(latest)\/download)\/([^/]+)$/.exec(path);
      const body = match ? releases.get(match[1] ?? "latest")?.get(match[3] ?? "") : undefined;
      return body === undefined ? new Response("not found", { status: 404 }) : new Response(body);
    },
  });
});
afterAll(() => {
  server.stop(true);
});

function release(version: string, files: Record<string, string>): void {
  releases.set(version, new Map(Object.entries(files)));
}

async function install(version: string, path = SYSTEM_PATH): Promise<{ code: number; stderr: string; dir: string }> {
  const dir = tempDir("install");
  const githubPath = join(dir, "github-path");
  writeFileSync(githubPath, "");
  const env = { PATH: path, HOME: dir, TMPDIR: dir, GITHUB_PATH: githubPath, RELEASE_BASE_URL: `http://127.0.0.1:${server.port}/releases`, RELEASE_VERSION: version, INSTALL_DIR: join(dir, "bin") };
  const run = await runProcess(["bash", SCRIPT], { cwd: dir, env });
  return { code: run.code, stderr: run.stderr, dir };
}

describe("install-pipcanary.sh", () => {
  test("installs a tagged release whose checksum matches and puts it on GITHUB_PATH", async () => {
    release("1.2.3", { [ASSET]: BINARY, SHA256SUMS: `${sha256("other")}  ${ASSET}-musl\n${sha256(BINARY)}  ${ASSET}\n` });
    const { code, stderr, dir } = await install("v1.2.3");
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(readFileSync(join(dir, "bin", "pipcanary"), "utf8")).toBe(BINARY);
    expect(readFileSync(join(dir, "github-path"), "utf8")).toBe(`${join(dir, "bin")}\n`);
    expect(requested).toContain(`/releases/download/v1.2.3/${ASSET}`);
  });

  test("latest comes from the latest-release URL", async () => {
    release("latest", { [ASSET]: BINARY, SHA256SUMS: `${sha256(BINARY)}  ${ASSET}\n` });
    expect((await install("latest")).code).toBe(0);
    expect(requested).toContain(`/releases/latest/download/${ASSET}`);
  });

  test("refuses a binary whose sha256 differs from SHA256SUMS, and installs nothing", async () => {
    release("2.0.0", { [ASSET]: `${BINARY}# tampered\n`, SHA256SUMS: `${sha256(BINARY)}  ${ASSET}\n` });
    const { code, stderr, dir } = await install("2.0.0");
    expect(code).toBe(1);
    expect(stderr).toContain(`checksum mismatch for ${ASSET}`);
    expect(existsSync(join(dir, "bin", "pipcanary"))).toBe(false);
  });

  test("refuses a binary that SHA256SUMS does not list", async () => {
    release("3.0.0", { [ASSET]: BINARY, SHA256SUMS: `${sha256(BINARY)}  ${ASSET}-musl\n` });
    const { code, stderr } = await install("3.0.0");
    expect(code).toBe(1);
    expect(stderr).toContain(`no entry for ${ASSET}`);
  });

  test("fails when the release has no asset for this machine", async () => {
    const { code, dir } = await install("4.0.0");
    expect(code).not.toBe(0);
    expect(existsSync(join(dir, "bin", "pipcanary"))).toBe(false);
  });

  test("uses a pipcanary already on PATH without downloading", async () => {
    const bin = tempDir("present");
    mkdirSync(bin, { recursive: true });
    pipcanaryBin(bin);
    const before = requested.length;
    const { code, dir } = await install("1.2.3", `${bin}:${SYSTEM_PATH}`);
    expect(code).toBe(0);
    expect(requested.length).toBe(before);
    expect(existsSync(join(dir, "bin", "pipcanary"))).toBe(false);
  });
});
