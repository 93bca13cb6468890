import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseToml } from "smol-toml";
import { runAuditCommand } from "../../src/cli/audit-command.ts";
import { InputError } from "../../src/core/errors.ts";
import type { Artifact, InstalledDistribution } from "../../src/core/artifact.ts";
import { filesByName, renderPylock, writePylock } from "../../src/lock/pylock-write.ts";
import { isPylockPath, parsePylock } from "../../src/inputs/pylock-read.ts";
import { loadRequirementSet } from "../../src/inputs/load.ts";
import { renderRequirementsLock, writeRequirementsLock } from "../../src/lock/requirements-lock.ts";
import { auditDistributions } from "../../src/audit/index.ts";
import { startIndexServer } from "../harness/index-server.ts";
import { runPip } from "../harness/pip.ts";
import { buildSdist } from "../harness/sdist.ts";
import { useTempDirs } from "../harness/temp.ts";
import type { FixtureFile, IndexServer } from "../harness/types.ts";
import { buildWheel } from "../harness/wheel.ts";

const tempDir = useTempDirs("pipcanary-lock");

function artifact(name: string, version: string, file: FixtureFile, url?: string): Artifact {
  return {
    name,
    version,
    filename: file.filename,
    path: `/scan/${file.filename}`,
    sha256: file.sha256,
    size: file.content.length,
    kind: file.filename.endsWith(".whl") ? "wheel" : "sdist",
    url,
  };
}

const zetaWheel = buildWheel({ name: "Zeta_Pkg", version: "2.0", files: { "zeta_pkg/__init__.py": "Z = 1\n" } });
const zetaSdist = buildSdist({ name: "Zeta_Pkg", version: "2.0", files: { "zeta_pkg/__init__.py": "Z = 1\n" } });
const alphaWheel = buildWheel({ name: "alpha", version: "1.0", files: { "alpha/__init__.py": "A = 1\n" } });
const alphaOtherWheel = buildWheel({ name: "alpha", version: "1.0", tag: "py2-none-any", files: { "alpha/__init__.py": "A = 2\n" } });

/** What a scan hands over: zeta's wheel only (its sdist exists on the index but was not scanned). */
function scanned(index?: IndexServer): InstalledDistribution[] {
  const url = (file: FixtureFile) => (index ? `${index.url}/files/${file.filename}` : undefined);
  return [
    { name: "Zeta_Pkg", version: "2.0", direct: true, artifacts: [artifact("zeta-pkg", "2.0", zetaWheel, url(zetaWheel))] },
    {
      name: "alpha",
      version: "1.0",
      direct: false,
      artifacts: [artifact("alpha", "1.0", alphaWheel, url(alphaWheel)), artifact("alpha", "1.0", alphaOtherWheel, url(alphaOtherWheel))],
    },
  ];
}

let server: IndexServer;
beforeAll(async () => {
  server = await startIndexServer([
    { name: "Zeta_Pkg", releases: [{ version: "2.0", files: [{ ...zetaWheel, uploadTime: "2024-02-03T04:05:06.789Z" }, { ...zetaSdist, uploadTime: "2024-02-03T04:00:00Z" }] }] },
    { name: "alpha", releases: [{ version: "1.0", files: [{ ...alphaWheel, uploadTime: "2023-01-01T00:00:00Z" }, { ...alphaOtherWheel, uploadTime: "2023-01-01T00:00:00Z" }] }] },
  ]);
});
afterAll(async () => {
  await server.stop();
});

describe("requirements lock (-l)", () => {
  test("seed 001's layout: sorted by normalised name, hashes sorted, only scanned files", () => {
    const [lowHash, highHash] = [alphaWheel.sha256, alphaOtherWheel.sha256].sort();
    expect(renderRequirementsLock(scanned())).toBe(
      [`alpha==1.0 \\`, `   --hash=sha256:${lowHash} \\`, `   --hash=sha256:${highHash}`, `Zeta_Pkg==2.0 \\`, `   --hash=sha256:${zetaWheel.sha256}`, ""].join("\n"),
    );
    expect(renderRequirementsLock([...scanned()].reverse())).toBe(renderRequirementsLock(scanned()));
    expect(renderRequirementsLock(scanned())).not.toContain(zetaSdist.sha256);
  });

  test("a distribution without a scanned artifact cannot be locked", () => {
    expect(() => renderRequirementsLock([{ name: "x", version: "1", direct: true, artifacts: [] }])).toThrow("no scanned artifact");
  });

  test("the host pip accepts it with --require-hashes against the fixture index", async () => {
    const dir = tempDir("pip");
    const lock = join(dir, "requirements.lock");
    await writeRequirementsLock(scanned(server), lock);
    const download = join(dir, "downloads");
    const result = await runPip(["download", "--require-hashes", "--no-deps", "--index-url", server.simpleUrl, "-d", download, "-r", lock], { home: dir });
    expect(result.stderr).not.toContain("ERROR");
    expect(result.exitCode).toBe(0);
    expect(readdirSync(download).sort()).toEqual([alphaWheel.filename, zetaWheel.filename].sort());
  }, 120_000);

  test("and refuses it when a hash is not the scanned file's (the test can fail)", async () => {
    const dir = tempDir("pip-bad");
    const lock = join(dir, "requirements.lock");
    writeFileSync(lock, renderRequirementsLock(scanned(server)).replace(zetaWheel.sha256, "0".repeat(64)));
    const result = await runPip(["download", "--require-hashes", "--no-deps", "--index-url", server.simpleUrl, "-d", join(dir, "d"), "-r", lock], { home: dir });
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain("DO NOT MATCH THE HASHES");
  }, 120_000);
});

describe("pylock.toml (--pylock)", () => {
  test("PEP 751 structure with url, size, upload-time and hashes of exactly the scanned files", async () => {
    const report = await auditDistributions(scanned(), [], { indexUrl: server.simpleUrl, osvUrl: server.url, noCache: true, env: {}, coolDownMs: 0 });
    const text = renderPylock(scanned(), { indexUrl: server.simpleUrl, files: filesByName(report.packages) });
    const toml = parseToml(text) as Record<string, unknown>;
    expect(toml["lock-version"]).toBe("1.0");
    expect(toml["created-by"]).toBe("pipcanary");
    const packages = toml.packages as Array<Record<string, unknown>>;
    expect(packages.map((pkg) => [pkg.name, pkg.version, pkg.index])).toEqual([
      ["alpha", "1.0", server.simpleUrl],
      ["Zeta_Pkg", "2.0", server.simpleUrl],
    ]);
    const zeta = packages[1] as { wheels: Array<Record<string, unknown>>; sdist?: unknown };
    expect(zeta.sdist).toBeUndefined();
    expect(zeta.wheels).toHaveLength(1);
    expect(zeta.wheels[0]).toMatchObject({
      name: zetaWheel.filename,
      url: `${server.url}/files/${zetaWheel.filename}`,
      size: zetaWheel.content.length,
      hashes: { sha256: zetaWheel.sha256 },
    });
    const uploadTime = zeta.wheels[0]?.["upload-time"];
    expect(uploadTime).toBeInstanceOf(Date);
    expect((uploadTime as Date).toISOString()).toBe("2024-02-03T04:05:06.789Z");
    expect(text).toBe(renderPylock([...scanned()].reverse(), { indexUrl: server.simpleUrl, files: filesByName(report.packages) }));
  });

  test("sdists are written as a table; a file with no known URL is an error", () => {
    const dists: InstalledDistribution[] = [{ name: "zeta-pkg", version: "2.0", direct: true, artifacts: [artifact("zeta-pkg", "2.0", zetaSdist, "https://files.example/z.tar.gz")] }];
    const toml = parseToml(renderPylock(dists, { indexUrl: "https://pypi.org/simple" })) as { packages: Array<{ sdist: Record<string, unknown> }> };
    expect(toml.packages[0]?.sdist).toMatchObject({ name: zetaSdist.filename, url: "https://files.example/z.tar.gz" });
    expect(() => renderPylock(scanned(), { indexUrl: "https://pypi.org/simple" })).toThrow(/no URL is known for alpha-1\.0-py[23]-none-any\.whl/);
  });

  test("an sdist the scan built into a wheel is locked as the sdist: its hash, not the built wheel's", () => {
    const sdist = artifact("zeta-pkg", "2.0", zetaSdist, "https://files.example/z.tar.gz");
    const built = { ...sdist, builtWheel: { filename: zetaWheel.filename, path: `/scan/built/${zetaWheel.filename}`, sha256: zetaWheel.sha256, size: zetaWheel.content.length } };
    const dists: InstalledDistribution[] = [{ name: "zeta-pkg", version: "2.0", direct: true, artifacts: [built] }];
    const plain: InstalledDistribution[] = [{ name: "zeta-pkg", version: "2.0", direct: true, artifacts: [sdist] }];
    expect(renderRequirementsLock(dists)).toBe(renderRequirementsLock(plain));
    expect(renderRequirementsLock(dists)).toContain(zetaSdist.sha256);
    expect(renderRequirementsLock(dists)).not.toContain(zetaWheel.sha256);
    expect(renderPylock(dists, { indexUrl: "https://pypi.org/simple" })).toBe(renderPylock(plain, { indexUrl: "https://pypi.org/simple" }));
  });

  test("round-trips through pipcanary audit", async () => {
    const file = join(tempDir("pylock"), "pylock.toml");
    await writePylock(scanned(server), file, { indexUrl: server.simpleUrl });
    expect(isPylockPath(file)).toBe(true);
    expect(parsePylock(readFileSync(file, "utf8"), file).map(({ name, version, hashes }) => [name, version, hashes.length])).toEqual([
      ["alpha", "1.0", 2],
      ["Zeta_Pkg", "2.0", 1],
    ]);
    const set = await loadRequirementSet({ cwd: tempDir("cwd"), requirementFiles: [file], projectFile: undefined, extras: [], groups: [] });
    expect(set.index.indexUrl).toBe(server.simpleUrl);
    let output = "";
    const code = await runAuditCommand({
      requirements: set.requirements,
      indexUrl: set.index.indexUrl,
      osvUrl: server.url,
      noCache: true,
      env: {},
      now: () => new Date("2025-01-01T00:00:00Z"),
      write: (text) => void (output += text),
    });
    expect(output).toBe("Auditing 2 packages...\nNo known vulnerabilities and no recent uploads found.\n");
    expect(code).toBe(0);
  });

  test("reader errors name the file and line", () => {
    expect(isPylockPath("pylock.dev.toml")).toBe(true);
    expect(isPylockPath("pyproject.toml")).toBe(false);
    expect(() => parsePylock('lock-version = "2.0"\n', "pylock.toml")).toThrow(InputError);
    expect(() => parsePylock("lock-version = \n", "pylock.toml")).toThrow(/^pylock\.toml:1: not valid TOML/);
    const noVersion = 'lock-version = "1.0"\ncreated-by = "x"\n\n[[packages]]\nname = "local-thing"\ndirectory = { path = "." }\n';
    expect(() => parsePylock(noVersion, "pylock.toml")).toThrow("pylock.toml:5: local-thing has no version");
  });
});

test("lock files are written whole: no temp file is left beside them", async () => {
  const dir = tempDir("atomic");
  await writeRequirementsLock(scanned(), join(dir, "requirements.lock"));
  expect(readdirSync(dir)).toEqual(["requirements.lock"]);
  expect(readFileSync(join(dir, "requirements.lock"), "utf8")).toBe(renderRequirementsLock(scanned()));
});
