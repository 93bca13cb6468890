import { describe, expect, test } from "bun:test";
import { parseDistributionFilename } from "../../src/fetch/collect.ts";

describe("artifact file names", () => {
  test("wheels and sdists, old-style names with dashes", () => {
    expect(parseDistributionFilename("Foo_Bar-1.0.post1-py3-none-any.whl")).toEqual({ name: "foo-bar", version: "1.0.post1", kind: "wheel" });
    expect(parseDistributionFilename("pkg-2.0-1-cp311-cp311-manylinux_2_17_x86_64.whl")).toEqual({ name: "pkg", version: "2.0", kind: "wheel" });
    expect(parseDistributionFilename("foo-2fa-1.0.tar.gz")).toEqual({ name: "foo-2fa", version: "1.0", kind: "sdist" });
    expect(parseDistributionFilename("demo_pkg-1.0.zip")).toEqual({ name: "demo-pkg", version: "1.0", kind: "sdist" });
    expect(parseDistributionFilename("notes.txt")).toBeUndefined();
  });
});
