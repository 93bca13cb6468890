import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { parse, TomlError } from "smol-toml";
import { InputError, errorMessage } from "../core/errors.ts";
import { isObject } from "../core/json.ts";

/** Reads a PEP 751 pylock.toml back as pinned packages, for `pipcanary audit`. */

export interface LockedPackage {
  name: string;
  version: string;
  /** `sha256:<hex>` of every file the lock lists for it. */
  hashes: string[];
  /** Line of the package's `name = …`, for messages. */
  line: number;
}

/** PEP 751 names: `pylock.toml` or `pylock.<name>.toml`. */
export function isPylockPath(path: string): boolean {
  return /^pylock(\.[^./]+)?\.toml$/.test(basename(path));
}

export async function readPylock(file: string): Promise<LockedPackage[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new InputError(`cannot read ${file}: ${errorMessage(error)}`);
  }
  return parsePylock(text, file);
}

export function parsePylock(text: string, file: string): LockedPackage[] {
  let document: Record<string, unknown>;
  try {
    document = parse(text);
  } catch (error) {
    const line = error instanceof TomlError ? error.line : 1;
    throw new InputError(`not valid TOML: ${errorMessage(error).split("\n")[0]}`, { file, line });
  }
  const lockVersion = document["lock-version"];
  if (typeof lockVersion !== "string" || !/^1(\.\d+)?$/.test(lockVersion)) {
    throw new InputError(`unsupported lock-version ${JSON.stringify(lockVersion)}`, { file, line: lineOf(text, /^\s*lock-version\s*=/) }, "pipcanary reads PEP 751 lock files of lock-version 1.x");
  }
  const packages = Array.isArray(document.packages) ? document.packages.filter(isObject) : [];
  const nameLines = packageNameLines(text);
  return packages.map((pkg, position) => {
    const line = nameLines[position] ?? 1;
    const name = pkg.name;
    if (typeof name !== "string" || name === "") throw new InputError("a [[packages]] entry has no name", { file, line });
    const version = pkg.version;
    if (typeof version !== "string" || version === "") {
      throw new InputError(`${name} has no version (a VCS, directory or archive entry)`, { file, line }, "pipcanary audit needs a version for every package; run the scan on the project instead");
    }
    const files = [...(Array.isArray(pkg.wheels) ? pkg.wheels : []), pkg.sdist, pkg.archive].filter(isObject);
    const hashes = files.flatMap((entry) => (isObject(entry.hashes) && typeof entry.hashes.sha256 === "string" ? [`sha256:${entry.hashes.sha256.toLowerCase()}`] : []));
    return { name, version, hashes, line };
  });
}

function lineOf(text: string, pattern: RegExp): number {
  const index = text.split("\n").findIndex((line) => pattern.test(line));
  return index < 0 ? 1 : index + 1;
}

/** The line of the first `name =` after each `[[packages]]` header, in order. */
function packageNameLines(text: string): number[] {
  const lines = text.split("\n");
  const found: number[] = [];
  let inPackage = false;
  lines.forEach((line, index) => {
    if (/^\s*\[\[\s*packages\s*\]\]/.test(line)) inPackage = true;
    else if (inPackage && /^\s*name\s*=/.test(line)) {
      found.push(index + 1);
      inPackage = false;
    }
  });
  return found;
}

