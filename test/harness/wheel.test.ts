import { describe, expect, test } from "bun:test";
import { strFromU8, unzipSync } from "fflate";
import { sha256Hex, sha256RecordDigest } from "./distribution-format.ts";
import { buildWheel, expandTag } from "./wheel.ts";

const spec = {
  name: "Evil-Pack.Name",
  version: "1.2.0",
  files: {
    "evilpack/__init__.py": "VALUE = 1\n",
    "evilpack/sub/mod.py": "X = 'x'\n",
    "single.py": "Y = 2\n",
    "evilpack/blob.bin": new Uint8Array([0, 1, 2, 255]),
  },
  pth: { "evilpack.pth": "import evilpack\n" },
  requires: ["requests>=2", 'tomli; python_version < "3.11"'],
  requiresPython: ">=3.8",
  distInfo: { "entry_points.txt": "[console_scripts]\nevil = evilpack:main\n" },
  data: { "data/share/evilpack/readme.txt": "hello\n" },
};

function parseRecord(text: string): { path: string; hash: string; size: string }[] {
  return text
    .trim()
    .split("\n")
    .map((line) => {
      const [path = "", hash = "", size = ""] = line.split(",");
      return { path, hash, size };
    });
}

describe("buildWheel", () => {
  const wheel = buildWheel(spec);
  const entries = unzipSync(wheel.content);
  const distInfo = "evil_pack_name-1.2.0.dist-info";

  test("names the file per the binary distribution format", () => {
    expect(wheel.filename).toBe("evil_pack_name-1.2.0-py3-none-any.whl");
    expect(wheel.sha256).toBe(sha256Hex(wheel.content));
    expect(wheel.requiresPython).toBe(">=3.8");
  });

  test("RECORD lists every other file with a verifying sha256 and size, and itself without", () => {
    const record = parseRecord(strFromU8(entries[`${distInfo}/RECORD`] ?? new Uint8Array()));
    const listed = new Set(record.map((row) => row.path));
    expect(listed).toEqual(new Set(Object.keys(entries)));
    for (const row of record) {
      const content = entries[row.path];
      expect(content).toBeDefined();
      if (row.path === `${distInfo}/RECORD`) {
        expect(row.hash).toBe("");
        expect(row.size).toBe("");
        continue;
      }
      expect(row.hash).toBe(`sha256=${sha256RecordDigest(content ?? new Uint8Array())}`);
      expect(row.hash).toMatch(/^sha256=[A-Za-z0-9_-]{43}$/);
      expect(Number(row.size)).toBe(content?.length ?? -1);
    }
    const lastLine = record.at(-1);
    expect(lastLine?.path).toBe(`${distInfo}/RECORD`);
  });

  test("writes METADATA, WHEEL, top_level.txt, .pth, data and extra dist-info files", () => {
    const metadata = strFromU8(entries[`${distInfo}/METADATA`] ?? new Uint8Array());
    expect(metadata).toContain("Metadata-Version: 2.1\n");
    expect(metadata).toContain("Name: Evil-Pack.Name\n");
    expect(metadata).toContain("Version: 1.2.0\n");
    expect(metadata).toContain("Requires-Python: >=3.8\n");
    expect(metadata).toContain('Requires-Dist: tomli; python_version < "3.11"\n');
    const wheelFile = strFromU8(entries[`${distInfo}/WHEEL`] ?? new Uint8Array());
    expect(wheelFile).toContain("Wheel-Version: 1.0\n");
    expect(wheelFile).toContain("Root-Is-Purelib: true\n");
    expect(wheelFile).toContain("Tag: py3-none-any\n");
    expect(strFromU8(entries[`${distInfo}/top_level.txt`] ?? new Uint8Array())).toBe("evilpack\nsingle\n");
    expect(strFromU8(entries["evilpack.pth"] ?? new Uint8Array())).toBe("import evilpack\n");
    expect(entries["evil_pack_name-1.2.0.data/data/share/evilpack/readme.txt"]).toBeDefined();
    expect(entries[`${distInfo}/entry_points.txt`]).toBeDefined();
    expect([...(entries["evilpack/blob.bin"] ?? [])]).toEqual([0, 1, 2, 255]);
  });

  test("is byte-for-byte reproducible", () => {
    expect(buildWheel(spec).sha256).toBe(wheel.sha256);
    expect(buildWheel({ ...spec, version: "1.2.1" }).sha256).not.toBe(wheel.sha256);
  });

  test("honours an explicit tag and top level", () => {
    const custom = buildWheel({ name: "a", version: "1", files: { "b.py": "" }, tag: "py2.py3-none-any", topLevel: ["zz"] });
    expect(custom.filename).toBe("a-1-py2.py3-none-any.whl");
    const customEntries = unzipSync(custom.content);
    expect(strFromU8(customEntries["a-1.dist-info/WHEEL"] ?? new Uint8Array())).toContain("Tag: py2-none-any\nTag: py3-none-any\n");
    expect(strFromU8(customEntries["a-1.dist-info/top_level.txt"] ?? new Uint8Array())).toBe("zz\n");
  });

  test("expandTag rejects a malformed tag", () => {
    expect(expandTag("cp311.cp312-abi3-manylinux_2_28_x86_64.linux_x86_64")).toHaveLength(4);
    expect(() => expandTag("py3-any")).toThrow("python-abi-platform");
  });
});
