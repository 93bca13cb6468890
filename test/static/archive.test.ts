import { describe, expect, test } from "bun:test";
import { gzipSync } from "fflate";
import { openArchive } from "../../src/static/archive/open.ts";
import { checkEntryPath, checkLinkTarget } from "../../src/static/archive/paths.ts";
import { type ArchiveLimits, DEFAULT_LIMITS } from "../../src/static/archive/types.ts";
import { unpackFindings } from "../../src/static/index.ts";
import { useTempDirs } from "../harness/temp.ts";
import { artifactOf, BUILTIN_RULES, sdistArtifact } from "./helpers.ts";
import { rawTar, rawTarGz, rawZip } from "./raw-archives.ts";

const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);

describe("entry paths", () => {
  test("traversal, absolute and drive paths are refused; inner .. is resolved", () => {
    expect(checkEntryPath("a/../../b")).toMatchObject({ ok: false, issue: { problem: "path-traversal" } });
    expect(checkEntryPath("..\\..\\evil.py")).toMatchObject({ ok: false, issue: { problem: "path-traversal" } });
    expect(checkEntryPath("/etc/passwd")).toMatchObject({ ok: false, issue: { problem: "absolute-path" } });
    expect(checkEntryPath("C:/Windows/x.dll")).toMatchObject({ ok: false, issue: { problem: "absolute-path" } });
    expect(checkEntryPath("./pkg//a/../b.py")).toEqual({ ok: true, path: "pkg/b.py" });
  });

  test("links resolve from their folder (symlinks) or the root (hardlinks)", () => {
    expect(checkLinkTarget("pkg/sub/l", "../a.py", "symlink")).toBeUndefined();
    expect(checkLinkTarget("pkg/l", "../../x", "symlink")?.problem).toBe("link-outside");
    expect(checkLinkTarget("pkg/l", "/etc/passwd", "symlink")?.problem).toBe("link-outside");
    expect(checkLinkTarget("pkg/l", "pkg/a.py", "hardlink")).toBeUndefined();
    expect(checkLinkTarget("pkg/l", "../a.py", "hardlink")?.problem).toBe("link-outside");
  });
});

describe("zip reading", () => {
  test("reads entries, refuses bad ones and keeps going", () => {
    const reader = openArchive({ bytes: rawZip([{ name: "ok/a.py", data: "A = 1\n" }, { name: "../b.py", data: "B = 2\n" }, { name: "ok/c.txt", data: "c", method: 0 }]) }, "x-1.0-py3-none-any.whl");
    expect(reader.entries.map((e) => e.path)).toEqual(["ok/a.py", "ok/c.txt"]);
    expect(reader.issues.map((i) => i.problem)).toEqual(["path-traversal"]);
    expect(text(reader.read(reader.entries[0]!, 1000)?.bytes)).toBe("A = 1\n");
  });

  test("reads in part when asked for less than the whole entry", () => {
    const reader = openArchive({ bytes: rawZip([{ name: "big.py", data: "x".repeat(100_000) }]) }, "x.whl");
    expect(reader.read(reader.entries[0]!, 10)).toEqual({ bytes: new TextEncoder().encode("x".repeat(10)), truncated: true });
  });

  test("zip64 end records and data prepended to the archive are understood", () => {
    const zip = rawZip([{ name: "p/a.py", data: "A = 1\n" }], { zip64: true });
    const prefixed = new Uint8Array(100 + zip.length);
    prefixed.set(zip, 100);
    for (const bytes of [zip, prefixed]) {
      const reader = openArchive({ bytes }, "x.whl");
      expect(reader.issues).toEqual([]);
      expect(text(reader.read(reader.entries[0]!, 100)?.bytes)).toBe("A = 1\n");
    }
  });

  test("a lying declared size stops inflation at the declared size", () => {
    const reader = openArchive({ bytes: rawZip([{ name: "a.py", data: "A".repeat(1_000_000), declaredSize: 10 }]) }, "x.whl");
    expect(reader.read(reader.entries[0]!, 1 << 20)).toBeUndefined();
    expect(reader.issues.map((i) => i.problem)).toEqual(["size-mismatch"]);
  });

  test("garbage is a corrupt-archive issue, not an exception", () => {
    const reader = openArchive({ bytes: new Uint8Array(5000).fill(7) }, "x.whl");
    expect(reader.entries).toEqual([]);
    expect(reader.issues.map((i) => i.problem)).toEqual(["corrupt"]);
  });
});

describe("tar reading", () => {
  test("ustar prefixes and PAX paths give the full name", () => {
    const long = `${"d".repeat(90)}/${"f".repeat(60)}.py`;
    const record = ` path=${long}\n`;
    const pax = `${record.length + 3}${record}`;
    const reader = openArchive(
      { bytes: rawTarGz([{ name: "name.py", prefix: "pkg-1.0/deep/dir", data: "A = 1\n" }, { name: "PaxHeader", type: "x", data: pax }, { name: "short.py", data: "B = 2\n" }]) },
      "pkg-1.0.tar.gz",
    );
    expect(reader.issues).toEqual([]);
    expect(reader.entries.map((e) => e.path)).toEqual(["pkg-1.0/deep/dir/name.py", long]);
    expect(text(reader.read(reader.entries[1]!, 100)?.bytes)).toBe("B = 2\n");
  });

  test("a bad header checksum is corrupt", () => {
    const tar = rawTar([{ name: "p/a.py", data: "A = 1\n" }]);
    tar[0] = 0x71;
    const reader = openArchive({ bytes: gzipSync(tar) }, "p-1.0.tar.gz");
    expect(reader.issues.map((i) => i.problem)).toEqual(["corrupt"]);
  });

  test("a gzip bomb stops at the tar size limit", () => {
    const limits: ArchiveLimits = { ...DEFAULT_LIMITS, maxTarBytes: 1024 * 1024 };
    const reader = openArchive({ bytes: rawTarGz([{ name: "p/zeros.bin", data: new Uint8Array(4 * 1024 * 1024) }]) }, "p-1.0.tar.gz", limits);
    expect(reader.entries).toEqual([]);
    expect(reader.issues.map((i) => i.problem)).toEqual(["too-large"]);
  });

  test("bzip2 and xz sdists are reported as uninspectable", () => {
    const reader = openArchive({ bytes: new TextEncoder().encode("BZh91AY&SY...") }, "p-1.0.tar.bz2");
    expect(reader.issues.map((i) => i.problem)).toEqual(["unsupported-entry"]);
  });
});

describe("archives pip unpacked in the fetch phase", () => {
  const tempDir = useTempDirs("pipcanary-static-unpack");

  test("members outside the folder are blamed on the archive's project, in the given phase", () => {
    const dir = tempDir();
    const slip = artifactOf(dir, "slip-1.0.tar.gz", rawTarGz([{ name: "slip-1.0/PKG-INFO", data: "x" }, { name: "slip-1.0/../../x", data: "x" }]));
    const link = artifactOf(dir, "link-1.0.tar.gz", rawTarGz([{ name: "link-1.0/PKG-INFO", data: "x" }, { name: "link-1.0/k", type: "2", linkname: "/root/.ssh" }]));
    const device = artifactOf(dir, "dev-1.0.tar.gz", rawTarGz([{ name: "dev-1.0/PKG-INFO", data: "x" }, { name: "dev-1.0/tty", type: "3" }]));
    const plain = sdistArtifact(dir, { name: "plain", version: "1.0", files: { "plain/__init__.py": "" } });
    const findings = unpackFindings([slip, link, device, plain], BUILTIN_RULES, "fetch");
    expect(findings.map((finding) => [finding.package, finding.phase, finding.ruleId, finding.severity, finding.artifactSha256])).toEqual([
      ["slip", "fetch", "static.archive.unsafe-path", "block", slip.sha256],
      ["link", "fetch", "static.archive.link-outside", "block", link.sha256],
    ]);
  });
});
