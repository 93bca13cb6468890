import { InputError } from "../core/errors.ts";
import { displayPath, readInputFile } from "./input-file.ts";
import { type InputFormat, formatByName, formatOfToml, looksStructured, unrecognisedFormat } from "./input-format.ts";
import type { LockInput } from "./lock-input.ts";
import { readPoetryLock } from "./poetry-lock.ts";
import { readPylockInput } from "./pylock-input.ts";
import { pushUnique, type RequirementsReadState } from "./requirements-file.ts";
import { readTomlFile } from "./toml-file.ts";
import { readUvLock } from "./uv-lock.ts";

/** The lock a `-r` file holds, or undefined when it is a requirements file. */
export function readLockInput(absolutePath: string, cwd: string): LockInput | undefined {
  const shownAs = displayPath(absolutePath, cwd);
  let format: InputFormat | undefined = formatByName(shownAs);
  if (format === "requirements" || (format === undefined && !looksStructured(readInputFile(absolutePath, shownAs)))) return undefined;
  let doc;
  try {
    doc = readTomlFile(absolutePath, shownAs);
  } catch (error) {
    if (format !== undefined || !(error instanceof InputError)) throw error;
    throw unrecognisedFormat(shownAs);
  }
  format ??= formatOfToml(doc.data, shownAs);
  switch (format) {
    case "uv.lock":
      return readUvLock(doc);
    case "poetry.lock":
      return readPoetryLock(doc);
    case "pylock.toml":
      return readPylockInput(doc.text, shownAs);
  }
}

/** A lock's pins join the requirement set; its first index becomes the index unless one is set, the others extra indexes. */
export function addLockInput(state: RequirementsReadState, lock: LockInput): void {
  state.requirements.push(...lock.requirements);
  for (const url of lock.indexUrls) {
    if (state.index.indexUrl === undefined) state.index.indexUrl = url;
    else if (state.index.indexUrl !== url) pushUnique(state.index.extraIndexUrls, url);
  }
}
