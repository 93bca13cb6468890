/**
 * The local level of the verdict cache: one JSON file per key under the cache directory, written
 * atomically so parallel runs sharing the directory never read a torn entry.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../core/atomic-write.ts";
import { decodeVerdictEntry, encodeVerdictEntry, type Verdict } from "./verdict.ts";

/** Versioned, so `cache clean` removes only what this layout wrote and a new layout starts empty. */
export const VERDICT_LAYOUT = "verdicts-v1";

export class LocalVerdictStore {
  constructor(
    readonly dir: string,
    private readonly warn: (message: string) => void,
  ) {}

  private pathFor(key: string): string {
    return join(this.dir, VERDICT_LAYOUT, key.slice(0, 2), `${key}.json`);
  }

  /** The stored verdict; a corrupt or foreign entry is reported and treated as a miss. */
  async read(key: string): Promise<Verdict | undefined> {
    const path = this.pathFor(key);
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch {
      return undefined;
    }
    const decoded = decodeVerdictEntry(key, text);
    if (decoded.ok) return decoded.verdict;
    this.warn(`Ignoring the cached verdict ${path}: ${decoded.reason}. The packages are scanned again.`);
    return undefined;
  }

  async write(key: string, verdict: Verdict): Promise<void> {
    await writeFileAtomic(this.pathFor(key), encodeVerdictEntry(key, verdict));
  }
}
