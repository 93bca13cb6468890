import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { makeCanaries } from "../../src/sandbox/canaries.ts";
import { buildDecoyHome } from "../../src/sandbox/decoy-home.ts";
import { useTempDirs } from "../harness/temp.ts";

describe("decoy home", () => {
  const tempDir = useTempDirs("decoy-home");

  test("mirrors the real home's names but none of pipcanary's own traces", () => {
    const realHome = tempDir("real");
    for (const dir of [".cache/pip", ".cache/pipcanary", ".config/PipCanary", ".config/git", "projects"]) mkdirSync(join(realHome, dir), { recursive: true });
    const decoy = tempDir("decoy");
    buildDecoyHome(decoy, makeCanaries(realHome), realHome);
    expect([".cache/pip", ".config/git", "projects"].filter((dir) => !existsSync(join(decoy, dir)))).toEqual([]);
    expect([".cache/pipcanary", ".config/PipCanary"].filter((dir) => existsSync(join(decoy, dir)))).toEqual([]);
  });
});
