import { afterAll } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Per-test-file temp dirs: call at the top level (or in a describe) of a test file; every dir made
 * by the returned function is removed in that scope's afterAll.
 */
export function useTempDirs(prefix = "pipcanary-test"): (label?: string) => string {
  const made: string[] = [];
  afterAll(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return (label = "tmp") => {
    const dir = mkdtempSync(join(tmpdir(), `${prefix}-${label}-`));
    made.push(dir);
    return dir;
  };
}
