import { zipSync, type Zippable } from "fflate";
import {
  builtFile,
  coreMetadata,
  escapeDistName,
  FIXED_MTIME,
  sha256RecordDigest,
  toBytes,
  type FileContent,
} from "./distribution-format.ts";
import type { FixtureFile } from "./types.ts";

export interface WheelSpec {
  name: string;
  version: string;
  /** Files installed into site-packages, by path: `{"evilpack/__init__.py": "…"}`. */
  files: Record<string, FileContent>;
  /** `.pth` files at the root of site-packages, by file name: `{"evilpack.pth": "import evilpack"}`. */
  pth?: Record<string, string>;
  /** Requires-Dist lines (PEP 508). */
  requires?: string[];
  requiresPython?: string;
  summary?: string;
  /** top_level.txt entries; derived from the top-level names in `files` when omitted. */
  topLevel?: string[];
  /** Compressed tag set, `py3-none-any` by default; `py2.py3-none-any` expands into two Tag lines. */
  tag?: string;
  /** Extra files inside `.dist-info/` by file name, e.g. `entry_points.txt`. */
  distInfo?: Record<string, FileContent>;
  /** Files of the `.data/` directory by `<scheme>/<path>`, e.g. `scripts/tool` or `data/share/x.txt`. */
  data?: Record<string, FileContent>;
}

/** Builds a real, installable wheel (binary distribution format 1.0), byte-for-byte reproducible. */
export function buildWheel(spec: WheelSpec): FixtureFile {
  const tag = spec.tag ?? "py3-none-any";
  const stem = `${escapeDistName(spec.name)}-${spec.version.replace(/-/g, "_")}`;
  const distInfo = `${stem}.dist-info`;
  const entries = new Map<string, Uint8Array>();

  for (const [path, content] of Object.entries(spec.files)) entries.set(path, toBytes(content));
  for (const [name, content] of Object.entries(spec.pth ?? {})) entries.set(name, toBytes(content));
  for (const [path, content] of Object.entries(spec.data ?? {})) entries.set(`${stem}.data/${path}`, toBytes(content));

  const metadata = coreMetadata({
    name: spec.name,
    version: spec.version,
    summary: spec.summary,
    requires: spec.requires,
    requiresPython: spec.requiresPython,
  });
  entries.set(`${distInfo}/METADATA`, toBytes(metadata));
  entries.set(`${distInfo}/WHEEL`, toBytes(wheelFile(tag)));
  const topLevel = spec.topLevel ?? deriveTopLevel(Object.keys(spec.files));
  entries.set(`${distInfo}/top_level.txt`, toBytes(topLevel.map((name) => `${name}\n`).join("")));
  for (const [name, content] of Object.entries(spec.distInfo ?? {})) entries.set(`${distInfo}/${name}`, toBytes(content));

  const recordPath = `${distInfo}/RECORD`;
  entries.set(recordPath, toBytes(recordFile(entries, recordPath)));

  const zippable: Zippable = {};
  for (const [path, content] of entries) zippable[path] = [content, { mtime: FIXED_MTIME }];
  return builtFile(`${stem}-${tag}.whl`, zipSync(zippable, { level: 6 }), spec.requiresPython);
}

function wheelFile(tag: string): string {
  const lines = ["Wheel-Version: 1.0", "Generator: pipcanary-test-harness", "Root-Is-Purelib: true"];
  for (const expanded of expandTag(tag)) lines.push(`Tag: ${expanded}`);
  return `${lines.join("\n")}\n\n`;
}

/** `py2.py3-none-any` → `py2-none-any`, `py3-none-any` (compressed tag sets, PEP 425). */
export function expandTag(tag: string): string[] {
  const parts = tag.split("-");
  if (parts.length !== 3) throw new Error(`wheel tag must be python-abi-platform, got "${tag}"`);
  const [pythons, abis, platforms] = parts.map((part) => part.split(".")) as [string[], string[], string[]];
  return pythons.flatMap((python) => abis.flatMap((abi) => platforms.map((platform) => `${python}-${abi}-${platform}`)));
}

function recordFile(entries: Map<string, Uint8Array>, recordPath: string): string {
  const lines: string[] = [];
  for (const [path, content] of entries) {
    lines.push(`${csvField(path)},sha256=${sha256RecordDigest(content)},${content.length}`);
  }
  lines.push(`${csvField(recordPath)},,`);
  return `${lines.join("\n")}\n`;
}

function csvField(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Import names at the root of site-packages: package folders and single modules, extension stripped. */
function deriveTopLevel(paths: string[]): string[] {
  const names = new Set<string>();
  for (const path of paths) {
    const [first, ...rest] = path.split("/");
    if (!first) continue;
    if (rest.length > 0) names.add(first);
    else if (/\.(py|pyc|so|pyd)$/.test(first)) names.add(first.slice(0, first.indexOf(".")));
  }
  return [...names].sort();
}
