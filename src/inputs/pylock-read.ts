import { basename } from "node:path";
import { parse, TomlError } from "smol-toml";
import { InputError, errorMessage } from "../core/errors.ts";
import { isObject } from "../core/json.ts";
import { arrayTableKeyLines } from "./toml-locate.ts";

/** Reads a PEP 751 pylock.toml back as pinned packages (an input of scan and audit). */

export interface LockedPackage {
  name: string;
  version: string;
  /** `sha256:<hex>` of every file the lock lists for it. */
  hashes: string[];
  /** Line of the package's `name = …`, for messages. */
  line: number;
  /** `packages.marker`: the environments the package is installed in. */
  marker: string | undefined;
  /** `packages.index`: the simple index the files come from. */
  index: string | undefined;
}

/** PEP 751 names: `pylock.toml` or `pylock.<name>.toml`. */
export function isPylockPath(path: string): boolean {
  return /^pylock(\.[^./]+)?\.toml$/.test(basename(path));
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
  const nameLines = arrayTableKeyLines(text, "packages", "name");
  return packages.map((pkg, position) => {
    const line = nameLines[position] ?? 1;
    const name = pkg.name;
    if (typeof name !== "string" || name === "") throw new InputError("a [[packages]] entry has no name", { file, line });
    const version = pkg.version;
    if (typeof version !== "string" || version === "") {
      throw new InputError(`${name} has no version (a VCS, directory or archive entry)`, { file, line }, "pipcanary reads released packages only; lock a released version of it");
    }
    const files = [...(Array.isArray(pkg.wheels) ? pkg.wheels : []), pkg.sdist, pkg.archive].filter(isObject);
    const hashes = files.flatMap((entry) => (isObject(entry.hashes) && typeof entry.hashes.sha256 === "string" ? [`sha256:${entry.hashes.sha256.toLowerCase()}`] : []));
    const marker = typeof pkg.marker === "string" && pkg.marker.trim() !== "" ? pkg.marker : undefined;
    const index = typeof pkg.index === "string" && pkg.index !== "" ? pkg.index : undefined;
    return { name, version, hashes, line, marker, index };
  });
}

function lineOf(text: string, pattern: RegExp): number {
  const index = text.split("\n").findIndex((line) => pattern.test(line));
  return index < 0 ? 1 : index + 1;
}
