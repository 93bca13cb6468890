import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { CanarySet } from "./canaries.ts";

/** Writes the canary files into `dir`, which the sandbox sees at the real home's path. */
export function buildDecoyHome(dir: string, canaries: CanarySet): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const [relative, content] of canaries.files) {
    const path = join(dir, relative);
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(path, content, { mode: 0o600 });
  }
  for (const empty of [".cache", ".config", ".local/share", ".local/bin"]) {
    mkdirSync(join(dir, empty), { recursive: true, mode: 0o700 });
  }
}
