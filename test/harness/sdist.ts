import { gzipSync } from "fflate";
import { createTar } from "nanotar";
import {
  builtFile,
  coreMetadata,
  escapeDistName,
  FIXED_MTIME,
  toBytes,
  type FileContent,
} from "./distribution-format.ts";
import type { FixtureFile } from "./types.ts";

export interface SdistSpec {
  name: string;
  version: string;
  /** Source files by path inside the top folder: `{"evilpack/__init__.py": "…"}`. */
  files: Record<string, FileContent>;
  /**
   * setup.py: its text, `true` for the default `setup(...)` call, `false` for none. When omitted the
   * default is written unless a pyproject.toml is given.
   */
  setupPy?: string | boolean;
  /** pyproject.toml text (e.g. a `[build-system]` and `[project]` table). */
  pyproject?: string;
  /** Requires-Dist in PKG-INFO and install_requires of the default setup.py. */
  requires?: string[];
  requiresPython?: string;
  summary?: string;
}

const TAR_NAME_LIMIT = 100;

/**
 * Builds a source distribution `<name>-<version>.tar.gz` (name in its PEP 625 file-name form) whose
 * top folder holds PKG-INFO, setup.py and/or pyproject.toml and the sources; reproducible.
 * The archive is made synchronously (nanotar's tar, fflate's gzip with a fixed mtime) so that
 * building fixtures never needs an await.
 */
export function buildSdist(spec: SdistSpec): FixtureFile {
  const stem = `${escapeDistName(spec.name)}-${spec.version}`;
  const entries = new Map<string, Uint8Array>();
  entries.set("PKG-INFO", toBytes(coreMetadata(spec)));
  const setupPy = spec.setupPy ?? spec.pyproject === undefined;
  if (setupPy !== false) entries.set("setup.py", toBytes(setupPy === true ? defaultSetupPy(spec) : setupPy));
  if (spec.pyproject !== undefined) entries.set("pyproject.toml", toBytes(spec.pyproject));
  for (const [path, content] of Object.entries(spec.files)) entries.set(path, toBytes(content));

  const items = [...entries].map(([path, data]) => {
    const name = `${stem}/${path}`;
    if (new TextEncoder().encode(name).length > TAR_NAME_LIMIT) {
      throw new Error(`sdist member "${name}" is longer than the ${TAR_NAME_LIMIT} bytes a plain tar header holds`);
    }
    return { name, data, attrs: { mode: "644", uid: 0, gid: 0, mtime: FIXED_MTIME.getTime() } };
  });
  const tar = createTar(items);
  return builtFile(`${stem}.tar.gz`, gzipSync(tar, { level: 6, mtime: FIXED_MTIME }), spec.requiresPython);
}

/** `setup(name=…, version=…, packages=[…], py_modules=[…], install_requires=[…])` for the given files. */
function defaultSetupPy(spec: SdistSpec): string {
  const paths = Object.keys(spec.files);
  const packages = paths
    .filter((path) => path.endsWith("/__init__.py"))
    .map((path) => path.slice(0, -"/__init__.py".length).replace(/\//g, "."))
    .sort();
  const modules = paths
    .filter((path) => !path.includes("/") && path.endsWith(".py") && path !== "setup.py")
    .map((path) => path.slice(0, -3))
    .sort();
  const literal = (values: string[]) => `[${values.map((value) => JSON.stringify(value)).join(", ")}]`;
  const args = [
    `    name=${JSON.stringify(spec.name)},`,
    `    version=${JSON.stringify(spec.version)},`,
    `    packages=${literal(packages)},`,
    `    py_modules=${literal(modules)},`,
    `    install_requires=${literal(spec.requires ?? [])},`,
  ];
  if (spec.requiresPython) args.push(`    python_requires=${JSON.stringify(spec.requiresPython)},`);
  return ["from setuptools import setup", "", "setup(", ...args, ")", ""].join("\n");
}
