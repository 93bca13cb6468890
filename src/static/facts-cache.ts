import { createHash } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { errorMessage } from "../core/errors.ts";
import { writeFileAtomic } from "../core/atomic-write.ts";
import script from "./python/extract_facts.py" with { type: "text" };
import type { FactInterest, ImportFact, SourceFact } from "./python/facts.ts";

/**
 * The static facts cache: what the fact extractor said about each Python source, so that no
 * archive's bytes are analysed twice. One pack per archive (named by its sha256) holds the result
 * of every source file in it by the file's sha256; a new release of a project is looked up in the
 * packs of the project's earlier releases first, since most files recur from version to version.
 * Packs live under the extractor's version (a digest of extract_facts.py and of what the rules ask
 * it for), so a changed extractor or rule set never reads an older answer.
 */

export const STATIC_FACTS_LAYOUT = "static-facts-v1";
/** Earlier releases of the same project consulted for a new archive's unchanged files. */
const SIBLING_PACKS = 4;

/** What the extractor returned for one file: its facts, or why it did not parse. */
export type CachedFacts = { facts: SourceFact[]; imports: ImportFact[] } | { error: string };

/** Where the facts cache lives inside pipcanary's cache directory (for `cache info` and `cache clean`). */
export function staticFactsCacheDir(cacheDir: string): string {
  return join(cacheDir, STATIC_FACTS_LAYOUT);
}


/** The extractor's version: its program and every input that shapes its answers. */
export function extractorVersion(interest: FactInterest, blobMin: number): string {
  return createHash("sha256").update(script).update("\0").update(JSON.stringify(interest)).update("\0").update(String(blobMin)).digest("hex");
}

export function fileDigest(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

interface Pack {
  extractor: string;
  archive: string;
  files: Record<string, CachedFacts>;
}

function isCachedFacts(value: unknown): value is CachedFacts {
  if (typeof value !== "object" || value === null) return false;
  const record = value as Record<string, unknown>;
  if (typeof record.error === "string") return true;
  return Array.isArray(record.facts) && Array.isArray(record.imports);
}

/** Project names become folder names: anything unusual shares one folder. */
function projectFolder(project: string): string {
  return /^[a-z0-9][a-z0-9-]{0,99}$/.test(project) ? project : "_other";
}

export class StaticFactsCache {
  private readonly root: string;

  constructor(
    cacheDir: string,
    private readonly version: string,
    private readonly warn: (message: string) => void,
  ) {
    this.root = join(staticFactsCacheDir(cacheDir), version.slice(0, 32));
  }

  private packPath(project: string, archiveSha256: string): string {
    return join(this.root, projectFolder(project), `${archiveSha256}.json`);
  }

  /** A pack's files, or undefined when it is missing; a corrupt or foreign pack is reported and ignored. */
  private async readPack(path: string, archiveSha256: string | undefined): Promise<Map<string, CachedFacts> | undefined> {
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch {
      return undefined;
    }
    try {
      const pack = JSON.parse(text) as Partial<Pack>;
      const foreign = pack.extractor !== this.version || (archiveSha256 !== undefined && pack.archive !== archiveSha256);
      if (foreign || typeof pack.files !== "object" || pack.files === null) throw new Error("it was written for another extractor or archive");
      const files = new Map<string, CachedFacts>();
      for (const [digest, facts] of Object.entries(pack.files)) {
        if (!/^[0-9a-f]{64}$/.test(digest) || !isCachedFacts(facts)) throw new Error(`its entry ${digest.slice(0, 80)} is malformed`);
        files.set(digest, facts);
      }
      return files;
    } catch (error) {
      this.warn(`Ignoring the static facts cache entry ${path}: ${errorMessage(error)}; the archive is analysed again.`);
      return undefined;
    }
  }

  /**
   * The cached facts for an archive's files by file sha256: its own pack when there is one
   * (`own`), else whatever the packs of the project's latest other archives know.
   */
  async lookup(project: string, archiveSha256: string): Promise<{ own: boolean; files: Map<string, CachedFacts> }> {
    const exact = await this.readPack(this.packPath(project, archiveSha256), archiveSha256);
    if (exact) return { own: true, files: exact };
    const folder = join(this.root, projectFolder(project));
    const own = `${archiveSha256}.json`;
    const names = (await readdir(folder).catch(() => [])).filter((name) => /^[0-9a-f]{64}\.json$/.test(name) && name !== own);
    const dated = await Promise.all(names.map(async (name) => ({ name, mtime: (await stat(join(folder, name)).catch(() => ({ mtimeMs: 0 }))).mtimeMs })));
    dated.sort((a, b) => b.mtime - a.mtime || a.name.localeCompare(b.name));
    const files = new Map<string, CachedFacts>();
    for (const { name } of dated.slice(0, SIBLING_PACKS)) {
      const pack = await this.readPack(join(folder, name), undefined);
      for (const [digest, facts] of pack ?? []) files.set(digest, facts);
    }
    return { own: false, files };
  }

  /** Writes an archive's pack atomically; a cache that cannot be written only costs speed. */
  async store(project: string, archiveSha256: string, files: ReadonlyMap<string, CachedFacts>): Promise<void> {
    const pack: Pack = { extractor: this.version, archive: archiveSha256, files: Object.fromEntries(files) };
    try {
      await writeFileAtomic(this.packPath(project, archiveSha256), JSON.stringify(pack));
    } catch (error) {
      this.warn(`Could not write the static facts cache (${errorMessage(error)}); the next run analyses this archive again.`);
    }
  }
}
