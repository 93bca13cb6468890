/**
 * What `cache info` and `cache clean` cover: every kind of entry pipcanary keeps under the cache
 * directory, each in its own versioned subdirectory. A stage that adds a cache adds its kind here.
 */
import { STATIC_FACTS_LAYOUT } from "../static/facts-cache.ts";
import { readdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { METADATA_LAYOUT } from "../index/cache.ts";
import { VERDICT_LAYOUT } from "./local-store.ts";

export interface CacheUsage {
  entries: number;
  bytes: number;
  oldest: Date | undefined;
  newest: Date | undefined;
}

export interface CacheKind {
  /** As shown by `cache info`: "metadata", "verdicts", … */
  name: string;
  usage(cacheDir: string): Promise<CacheUsage>;
  /** Removes this kind's entries (and only those); returns what was there. */
  clean(cacheDir: string): Promise<CacheUsage>;
}

async function filesBelow(dir: string): Promise<string[]> {
  let entries: import("node:fs").Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const nested = await Promise.all(
    entries.map((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return filesBelow(path);
      // Dot files are atomic writes in flight, not entries.
      return Promise.resolve(entry.isFile() && !entry.name.startsWith(".") ? [path] : []);
    }),
  );
  return nested.flat();
}

/** A kind whose entries are the files below `cacheDir/layout`. */
function directoryKind(name: string, layout: string): CacheKind {
  const usage = async (cacheDir: string): Promise<CacheUsage> => {
    const result: CacheUsage = { entries: 0, bytes: 0, oldest: undefined, newest: undefined };
    for (const path of await filesBelow(join(cacheDir, layout))) {
      const stats = await stat(path).catch(() => undefined);
      if (!stats) continue;
      result.entries++;
      result.bytes += stats.size;
      if (!result.oldest || stats.mtime < result.oldest) result.oldest = stats.mtime;
      if (!result.newest || stats.mtime > result.newest) result.newest = stats.mtime;
    }
    return result;
  };
  return {
    name,
    usage,
    clean: async (cacheDir) => {
      const before = await usage(cacheDir);
      await rm(join(cacheDir, layout), { recursive: true, force: true });
      return before;
    },
  };
}

/** Every kind, in the order `cache info` lists them. */
function cacheKinds(): readonly CacheKind[] {
  return [directoryKind("metadata", METADATA_LAYOUT), directoryKind("verdicts", VERDICT_LAYOUT), directoryKind("static facts", STATIC_FACTS_LAYOUT)];
}

export interface CacheReport extends CacheUsage {
  dir: string;
  kinds: (CacheUsage & { kind: string })[];
}

function total(dir: string, kinds: CacheReport["kinds"]): CacheReport {
  const dates = (pick: (usage: CacheUsage) => Date | undefined) => kinds.map(pick).filter((date): date is Date => date !== undefined).map((date) => date.getTime());
  const oldest = dates((usage) => usage.oldest);
  const newest = dates((usage) => usage.newest);
  return {
    dir,
    entries: kinds.reduce((sum, usage) => sum + usage.entries, 0),
    bytes: kinds.reduce((sum, usage) => sum + usage.bytes, 0),
    oldest: oldest.length > 0 ? new Date(Math.min(...oldest)) : undefined,
    newest: newest.length > 0 ? new Date(Math.max(...newest)) : undefined,
    kinds,
  };
}

/** `pipcanary cache info`: counts and sizes per kind and in total. */
export async function cacheReport(cacheDir: string): Promise<CacheReport> {
  const kinds = await Promise.all(cacheKinds().map(async (kind) => ({ kind: kind.name, ...(await kind.usage(cacheDir)) })));
  return total(cacheDir, kinds);
}

/** `pipcanary cache clean`: removes every kind's entries; returns what was removed. */
export async function cleanCaches(cacheDir: string): Promise<CacheReport> {
  const kinds = [];
  for (const kind of cacheKinds()) kinds.push({ kind: kind.name, ...(await kind.clean(cacheDir)) });
  return total(cacheDir, kinds);
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export function renderCacheReport(report: CacheReport): string {
  const lines = [`Cache directory: ${report.dir}`, `Entries: ${report.entries}`, `Size: ${formatBytes(report.bytes)}`];
  for (const usage of report.kinds) lines.push(`  ${usage.kind}: ${usage.entries} entries, ${formatBytes(usage.bytes)}`);
  if (report.oldest && report.newest) lines.push(`Oldest entry: ${report.oldest.toISOString()}`, `Newest entry: ${report.newest.toISOString()}`);
  return `${lines.join("\n")}\n`;
}
