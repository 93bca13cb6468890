import { describe, expect, test } from "bun:test";
import { InputError } from "../../src/core/errors.ts";
import { readProjectJson, readSimpleJson, readVersionJson, versionFromFilename } from "../../src/index/metadata.ts";
import { jsonApiRoot, simpleRoot, versionJsonUrl } from "../../src/index/urls.ts";
import { restoreTimezoneAfterEach } from "./fixture-data.ts";

restoreTimezoneAfterEach();

describe("JSON API documents", () => {
  test("the zone-less upload_time is UTC; upload_time_iso_8601 wins when present", () => {
    process.env.TZ = "America/New_York";
    const doc = readVersionJson(
      {
        info: { name: "Demo" },
        urls: [
          { filename: "demo-1.0.tar.gz", upload_time: "2025-09-27T18:37:40", url: "../../files/demo-1.0.tar.gz", digests: { sha256: "AB" } },
          { filename: "demo-1.0-py3-none-any.whl", upload_time: "2025-09-27T18:00:00", upload_time_iso_8601: "2025-09-27T18:00:00.500000Z", yanked: true },
          { upload_time: "no filename, skipped" },
        ],
        vulnerabilities: [{ id: "PYSEC-1", fixed_in: ["1.1"], withdrawn: null }, { id: "X", withdrawn: "2025-01-01" }, { aliases: ["no id"] }],
      },
      "1.0",
      "https://mirror.example/pypi/demo/1.0/json",
    );
    expect(doc.files.map((file) => [file.filename, file.uploadTime?.toISOString(), file.yanked, file.sha256, file.url])).toEqual([
      ["demo-1.0.tar.gz", "2025-09-27T18:37:40.000Z", false, "ab", "https://mirror.example/pypi/files/demo-1.0.tar.gz"],
      ["demo-1.0-py3-none-any.whl", "2025-09-27T18:00:00.500Z", true, undefined, undefined],
    ]);
    expect(doc.vulnerabilities?.map((vulnerability) => [vulnerability.id, vulnerability.withdrawn])).toEqual([
      ["PYSEC-1", false],
      ["X", true],
    ]);
  });

  test("anything that is not the expected shape reads as empty, not as a crash", () => {
    expect(readVersionJson("garbage", "1.0", "https://x/").files).toEqual([]);
    expect(readProjectJson({ releases: { "1.0": "nope", "2.0": [{ filename: "a-2.0.tar.gz" }] } }, "https://x/").releases.get("2.0")?.[0]?.version).toBe("2.0");
    expect(readSimpleJson({ files: [{ filename: "unrelated-1.0.tar.gz" }, 7] }, "demo", "https://x/").releases.size).toBe(0);
  });
});

describe("simple API documents", () => {
  test("versions come from PEP 700 `versions` and from file names; a yank reason means yanked", () => {
    const doc = readSimpleJson(
      {
        name: "zope-interface",
        versions: ["5.0", "6.0"],
        files: [
          { filename: "zope.interface-6.0.tar.gz", "upload-time": "2023-03-17T10:00:00.123456Z", yanked: "bad", "requires-python": ">=3.7", hashes: { sha256: "AA" } },
          { filename: "zope_interface-6.0-cp311-cp311-manylinux.whl", yanked: false },
        ],
      },
      "Zope.Interface",
      "https://index.example/simple/zope-interface/",
    );
    expect([...doc.releases.keys()]).toEqual(["5.0", "6.0"]);
    expect(doc.releases.get("6.0")?.map((file) => [file.yanked, file.requiresPython, file.uploadTime?.toISOString()])).toEqual([
      [true, ">=3.7", "2023-03-17T10:00:00.123Z"],
      [false, undefined, undefined],
    ]);
  });

  test("versions from file names, legacy sdist names included", () => {
    expect(versionFromFilename("foo_bar-1.0-py3-none-any.whl", "foo-bar")).toBe("1.0");
    expect(versionFromFilename("foo-bar-1.0.tar.gz", "foo-bar")).toBe("1.0");
    expect(versionFromFilename("Foo.Bar-2.0rc1.zip", "foo-bar")).toBe("2.0rc1");
    expect(versionFromFilename("foo-bar-baz-1.0.tar.gz", "foo-bar")).toBeUndefined();
    expect(versionFromFilename("other-1.0-py3-none-any.whl", "foo-bar")).toBeUndefined();
    expect(versionFromFilename("foo_bar-1.0.exe", "foo-bar")).toBeUndefined();
  });
});

describe("index URLs", () => {
  test("the JSON API root that belongs to an index", () => {
    expect(jsonApiRoot("https://pypi.org/simple")).toBe("https://pypi.org/pypi/");
    expect(jsonApiRoot("https://pypi.org/simple/")).toBe("https://pypi.org/pypi/");
    expect(jsonApiRoot("https://test.pypi.org/simple/")).toBe("https://test.pypi.org/pypi/");
    expect(jsonApiRoot("https://mirror.example/repo/simple")).toBe("https://mirror.example/repo/pypi/");
    expect(jsonApiRoot("https://devpi.example/root/pypi/+simple/")).toBeUndefined();
  });

  test("project names are normalised in URLs; bad index URLs are input errors", () => {
    expect(versionJsonUrl("https://pypi.org/pypi/", "Zope.Interface", "6.0")).toBe("https://pypi.org/pypi/zope-interface/6.0/json");
    expect(simpleRoot("http://127.0.0.1:8080/simple///")).toBe("http://127.0.0.1:8080/simple/");
    expect(() => simpleRoot("not a url")).toThrow(InputError);
    expect(() => simpleRoot("file:///opt/wheels")).toThrow("unsupported index URL 'file:///opt/wheels'");
  });
});
