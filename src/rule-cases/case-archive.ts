import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync, zipSync, type Zippable } from "fflate";
import { createTar } from "nanotar";
import type { Artifact } from "../core/artifact.ts";
import type { ArchiveCase } from "./cases.ts";

const VERSION = "1.0";
/** Fixed, so that one case always builds the same bytes (and the same sha256). */
const MTIME = new Date("2020-02-02T00:00:00Z");

/** Writes the case's wheel or sdist into `dir` and describes it as a downloaded artifact. */
export function writeCaseArchive(dir: string, item: ArchiveCase, index: number): Artifact {
  const stem = `${item.package.replace(/[-.]+/g, "_")}-${VERSION}`;
  const built = item.raw ?? (item.archive === "wheel" ? wheel(stem, item.files) : sdist(stem, item.package, item.files));
  // One folder per case: two cases may name the same file.
  const caseDir = join(dir, String(index));
  const path = join(caseDir, built.filename);
  mkdirSync(caseDir, { recursive: true });
  writeFileSync(path, built.bytes);
  return {
    name: item.package,
    version: VERSION,
    filename: built.filename,
    path,
    sha256: createHash("sha256").update(built.bytes).digest("hex"),
    size: built.bytes.length,
    kind: item.archive,
    url: undefined,
  };
}

function wheel(stem: string, files: ReadonlyMap<string, Uint8Array>): { filename: string; bytes: Uint8Array } {
  const zippable: Zippable = {};
  for (const [path, bytes] of files) zippable[path] = [bytes, { mtime: MTIME }];
  const text = (value: string) => new TextEncoder().encode(value);
  zippable[`${stem}.dist-info/METADATA`] = [text(`Metadata-Version: 2.1\nName: ${stem.split("-")[0]}\nVersion: ${VERSION}\n`), { mtime: MTIME }];
  zippable[`${stem}.dist-info/WHEEL`] = [text("Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n"), { mtime: MTIME }];
  return { filename: `${stem}-py3-none-any.whl`, bytes: zipSync(zippable, { level: 6 }) };
}

function sdist(stem: string, name: string, files: ReadonlyMap<string, Uint8Array>): { filename: string; bytes: Uint8Array } {
  const entries = new Map(files);
  if (!entries.has("PKG-INFO")) entries.set("PKG-INFO", new TextEncoder().encode(`Metadata-Version: 2.1\nName: ${name}\nVersion: ${VERSION}\n`));
  const tar = createTar([...entries].map(([path, data]) => ({ name: `${stem}/${path}`, data, attrs: { mode: "644", uid: 0, gid: 0, mtime: MTIME.getTime() } })));
  return { filename: `${stem}.tar.gz`, bytes: gzipSync(tar, { level: 6, mtime: MTIME }) };
}
