import { globSource } from "../core/glob.ts";

/**
 * Compiled files in a package: which files are binaries, and a strings scan of their first
 * megabytes for indicators that have no business in a compiled extension. The patterns come from
 * the rules; the generic strings every extension contains ("https://", "socket", "/bin/sh") are
 * not indicators on their own and the built-in rules never match them alone.
 */
export type BinaryKind = "elf" | "pe" | "mach-o";

const EXTENSION_MODULES = /\.(?:so(?:\.\d+)*|pyd|dylib)$/i;
const WINDOWS_BINARIES = /\.(?:dll|exe)$/i;
/** Files that are text (or data we do not treat as code): never opened for a magic check. */
const TEXT_EXTENSIONS = new Set([
  "py", "pyi", "pyx", "pxd", "pxi", "txt", "md", "rst", "json", "yaml", "yml", "toml", "cfg", "ini", "h", "hpp", "hh",
  "c", "cc", "cpp", "cxx", "cu", "cuh", "js", "mjs", "ts", "css", "html", "htm", "xml", "svg", "csv", "tsv", "pth",
  "typed", "in", "jinja", "j2", "cmake", "pem", "crt", "csh", "fish", "bat", "ps1", "sh", "tcl", "png", "jpg", "jpeg",
  "gif", "ico", "ttf", "otf", "woff", "woff2", "mo", "po", "pyc", "npy", "npz", "parquet", "gz", "zip", "bz2", "xz",
]);

/** Compiled files recognised by name: Python extension modules, and Windows executables and DLLs. */
export function binaryKindByName(path: string): "extension" | "pe" | undefined {
  if (EXTENSION_MODULES.test(path)) return "extension";
  return WINDOWS_BINARIES.test(path) ? "pe" : undefined;
}

/** Whether a file's first bytes are worth reading to check for a binary header. */
export function needsMagicCheck(path: string): boolean {
  const base = path.slice(path.lastIndexOf("/") + 1);
  const dot = base.lastIndexOf(".");
  if (dot === -1) return true;
  return !TEXT_EXTENSIONS.has(base.slice(dot + 1).toLowerCase());
}

export function binaryKindByMagic(head: Uint8Array): BinaryKind | undefined {
  const [a, b, c, d] = head;
  if (a === 0x7f && b === 0x45 && c === 0x4c && d === 0x46) return "elf";
  if (a === 0x4d && b === 0x5a) return "pe";
  const word = ((a ?? 0) << 24) | ((b ?? 0) << 16) | ((c ?? 0) << 8) | (d ?? 0);
  const magics = [0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe, 0xcafebabe];
  return magics.includes(word >>> 0) ? "mach-o" : undefined;
}

export interface BinaryStringHit {
  /** Index of the pattern (rule) that matched. */
  pattern: number;
  /** The whole printable string around the match, shortened. */
  text: string;
}

/** Compiles text globs so that `*` never crosses a non-printable byte: a match stays in one string. */
export function compileBinaryPatterns(globs: readonly string[]): RegExp {
  // Leading and trailing `*` add nothing to an unanchored search and make it quadratic.
  const sources = globs.map((glob) => `(${globSource(glob.replace(/^\*+|\*+$/g, ""), "binary")})`);
  return new RegExp(sources.join("|"), "gi");
}

export function scanBinaryStrings(bytes: Uint8Array, patterns: RegExp, limit = 20): BinaryStringHit[] {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
  const hits: BinaryStringHit[] = [];
  patterns.lastIndex = 0;
  for (let match = patterns.exec(text); match !== null && hits.length < limit; match = patterns.exec(text)) {
    const pattern = match.slice(1).findIndex((group) => group !== undefined);
    let start = match.index;
    let end = match.index + match[0].length;
    while (start > 0 && isPrintable(text.charCodeAt(start - 1)) && match.index - start < 100) start--;
    while (end < text.length && isPrintable(text.charCodeAt(end)) && end - match.index < 200) end++;
    hits.push({ pattern, text: text.slice(start, end).trim() });
    if (match[0].length === 0) patterns.lastIndex++;
  }
  return hits;
}

function isPrintable(code: number): boolean {
  return (code >= 0x20 && code <= 0x7e) || code === 0x09;
}
