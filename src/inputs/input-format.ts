/**
 * What kind of file a `-r` input is: a requirements file, or one of the lock formats pipcanary
 * reads. A lock of another tool is named as such with the fix, never read as requirements.txt
 * (where its first line would be an "invalid requirement").
 */
import { basename } from "node:path";
import { InputError } from "../core/errors.ts";
import { isPylockPath } from "./pylock-read.ts";
import type { TomlTable } from "./toml-file.ts";

export type LockFormat = "uv.lock" | "poetry.lock" | "pylock.toml";
export type InputFormat = "requirements" | LockFormat;

const SUPPORTED_HINT = "pipcanary reads requirements files, uv.lock, poetry.lock and PEP 751 pylock.toml; export the lock to one of them (for example pylock.toml or a requirements file with hashes)";

/** Lock files of other tools, by file name. */
const UNSUPPORTED: ReadonlyArray<{ pattern: RegExp; what: string }> = [
  { pattern: /^Pipfile(\.lock)?$/, what: "a Pipenv file" },
  { pattern: /^pdm\.lock$/, what: "a PDM lock file" },
  { pattern: /^(package-lock|npm-shrinkwrap)\.json$|^yarn\.lock$|^pnpm-lock\.yaml$|^bun\.lockb?$/, what: "a JavaScript lock file" },
  { pattern: /^Cargo\.lock$|^Gemfile\.lock$|^composer\.lock$|^go\.sum$/, what: "a lock file of another language's package manager" },
  { pattern: /^conda-lock\.ya?ml$|^environment\.ya?ml$/, what: "a conda file" },
];

/** The format by file name alone; undefined when only the content can tell. */
export function formatByName(path: string): InputFormat | undefined {
  const name = basename(path);
  if (name === "uv.lock") return "uv.lock";
  if (name === "poetry.lock") return "poetry.lock";
  if (isPylockPath(path)) return "pylock.toml";
  const unsupported = UNSUPPORTED.find((entry) => entry.pattern.test(name));
  if (unsupported) throw new InputError(`${path} is ${unsupported.what}, which pipcanary does not read`, undefined, SUPPORTED_HINT);
  return /\.(txt|in|pip)$/i.test(name) ? "requirements" : undefined;
}

/** TOML tables or `key = value` lines, or JSON: not requirements-file syntax. */
const STRUCTURED_START = /^\s*(?:\{|\[|[A-Za-z0-9_.-]+\s*=\s*["'\d[{tf])/;

/** For a file whose name does not tell: requirements unless its first line is TOML or JSON. */
export function looksStructured(text: string): boolean {
  const first = text.split("\n").find((line) => line.trim() !== "" && !line.trim().startsWith("#"));
  return first !== undefined && STRUCTURED_START.test(first);
}

/** A parsed TOML lock recognised by its content. */
export function formatOfToml(data: TomlTable, shownAs: string): LockFormat {
  if (typeof data["lock-version"] === "string") return "pylock.toml";
  const metadata = data.metadata;
  if (typeof metadata === "object" && metadata !== null && "content-hash" in metadata) return "poetry.lock";
  if (typeof data.version === "number" && Array.isArray(data.package)) return "uv.lock";
  throw unrecognisedFormat(shownAs);
}

export function unrecognisedFormat(shownAs: string): InputError {
  return new InputError(`${shownAs} is not a requirements file and not a lock format pipcanary recognises`, undefined, SUPPORTED_HINT);
}
