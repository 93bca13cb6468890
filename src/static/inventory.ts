import { openArchive, type ArchiveInput } from "./archive/open.ts";
import { type ArchiveEntry, type ArchiveIssue, type ArchiveLimits, type ArchiveReader, DEFAULT_LIMITS } from "./archive/types.ts";
import { type BinaryKind, type BinaryStringHit, binaryKindByMagic, binaryKindByName, needsMagicCheck, scanBinaryStrings } from "./binaries.ts";
import { classifyPth, isActivePth, type PthLine } from "./pth.ts";
import { sdistRoot } from "./scopes.ts";

/** How much of each file is read; a file larger than its limit is read in part and a note says so. */
export interface ReadLimits {
  sourceBytes: number;
  binaryBytes: number;
  configBytes: number;
  /** All bytes read from one archive. */
  totalBytes: number;
}

export const DEFAULT_READ_LIMITS: ReadLimits = {
  sourceBytes: 16 * 1024 ** 2,
  binaryBytes: 8 * 1024 ** 2,
  configBytes: 1024 ** 2,
  totalBytes: 2 * 1024 ** 3,
};

export interface SourceEntry {
  path: string;
  bytes: Uint8Array;
}

export interface BinaryEntry {
  path: string;
  kind: BinaryKind | "extension";
  hits: BinaryStringHit[];
}

/** Everything the static rules look at in one archive, read without extracting or running anything. */
export interface Inventory {
  archive: "wheel" | "sdist";
  issues: ArchiveIssue[];
  /** Every file, by the path it is installed under (wheel) or its path below the sdist folder. */
  installPaths: string[];
  /** sdist folder prefix ("pkg-1.0/") or "". */
  root: string;
  sources: SourceEntry[];
  configs: Map<string, string>;
  pth: { path: string; lines: PthLine[] }[];
  binaries: BinaryEntry[];
  /** Entries with Python code that could not be read (encrypted, unsupported compression). */
  unreadableSources: string[];
  notes: string[];
  entryCount: number;
  bytesRead: number;
}

const CONFIG_NAMES = new Set(["pyproject.toml", "setup.cfg"]);
const WHEEL_DATA = /^[^/]+\.data\/(?:purelib|platlib)\//;
const PYTHON_SHEBANG = /^#![^\n]*python/;

export function takeInventory(
  input: ArchiveInput,
  filename: string,
  archive: "wheel" | "sdist",
  binaryPatterns: RegExp | undefined,
  limits: ArchiveLimits = DEFAULT_LIMITS,
  readLimits: ReadLimits = DEFAULT_READ_LIMITS,
): Inventory {
  const reader = openArchive(input, filename, limits);
  try {
    return inventory(reader, archive, binaryPatterns, readLimits);
  } finally {
    reader.close();
  }
}

function inventory(reader: ArchiveReader, archive: "wheel" | "sdist", binaryPatterns: RegExp | undefined, readLimits: ReadLimits): Inventory {
  const files = reader.entries.filter((entry) => entry.type === "file");
  const root = archive === "sdist" ? sdistRoot(reader.entries.map((entry) => entry.path)) : "";
  const inv: Inventory = {
    archive, issues: reader.issues, root, sources: [], configs: new Map(), pth: [], binaries: [], unreadableSources: [], notes: [],
    installPaths: files.map((entry) => installPath(entry.path, archive, root)), entryCount: reader.entries.length, bytesRead: 0,
  };
  let budgetNoted = false;
  const read = (entry: ArchiveEntry, limit: number, what: string) => {
    if (inv.bytesRead >= readLimits.totalBytes) {
      if (!budgetNoted) {
        reader.issues.push({ problem: "too-large", file: entry.rawPath, detail: `more than ${readLimits.totalBytes} bytes to inspect; the rest was not read` });
        budgetNoted = true;
      }
      return undefined;
    }
    const result = reader.read(entry, limit);
    if (result === undefined) return undefined;
    inv.bytesRead += result.bytes.length;
    if (result.truncated && what !== "") inv.notes.push(`${entry.path}: only the first ${limit} bytes of this ${what} were inspected`);
    return result.bytes;
  };
  for (const entry of files) {
    const base = entry.path.slice(entry.path.lastIndexOf("/") + 1);
    const relative = entry.path.slice(root.length);
    if (!entry.readable) {
      if (/\.(py|pth)$/.test(base) || relative === "setup.py") inv.unreadableSources.push(entry.path);
      continue;
    }
    if (base.endsWith(".py") || base.endsWith(".pyw")) {
      const bytes = read(entry, readLimits.sourceBytes, "Python file");
      if (bytes) inv.sources.push({ path: entry.path, bytes });
      continue;
    }
    if (base.endsWith(".pth")) {
      const bytes = read(entry, readLimits.configBytes, ".pth file");
      if (bytes && isActivePth(entry.path, archive)) inv.pth.push({ path: entry.path, lines: classifyPth(entry.path, new TextDecoder().decode(bytes)) });
      continue;
    }
    if (archive === "sdist" && CONFIG_NAMES.has(relative)) {
      const bytes = read(entry, readLimits.configBytes, "configuration file");
      if (bytes) inv.configs.set(entry.path, new TextDecoder().decode(bytes));
      continue;
    }
    if (archive === "wheel" && /^[^/]+\.data\/scripts\//.test(entry.path)) {
      const bytes = read(entry, readLimits.sourceBytes, "script");
      if (bytes && PYTHON_SHEBANG.test(new TextDecoder().decode(bytes.subarray(0, 200)))) inv.sources.push({ path: entry.path, bytes });
      continue;
    }
    const named = binaryKindByName(entry.path);
    if (named === undefined && !needsMagicCheck(entry.path)) continue;
    const head = named === undefined ? read(entry, 4, "") : undefined;
    const kind = named ?? (head ? binaryKindByMagic(head) : undefined);
    if (kind === undefined) continue;
    const bytes = binaryPatterns ? read(entry, readLimits.binaryBytes, "compiled file") : undefined;
    inv.binaries.push({ path: entry.path, kind, hits: bytes && binaryPatterns ? scanBinaryStrings(bytes, binaryPatterns) : [] });
  }
  return inv;
}

/** Wheel files in `<name>.data/purelib|platlib/` install next to the others; sdist paths drop the folder. */
function installPath(path: string, archive: "wheel" | "sdist", root: string): string {
  if (archive === "wheel") return path.replace(WHEEL_DATA, "");
  return path.startsWith(root) ? path.slice(root.length) : path;
}
