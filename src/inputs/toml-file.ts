import { TomlError, parse } from "smol-toml";
import { InputError } from "../core/errors.ts";
import { readInputFile } from "./input-file.ts";

export type TomlTable = Record<string, unknown>;

export interface TomlDocument {
  data: TomlTable;
  text: string;
  shownAs: string;
}

/** Reads and parses a TOML file; broken TOML becomes an InputError at the offending line. */
export function readTomlFile(absolutePath: string, shownAs: string): TomlDocument {
  const text = readInputFile(absolutePath, shownAs);
  try {
    return { data: parse(text) as TomlTable, text, shownAs };
  } catch (error) {
    if (error instanceof TomlError) {
      const reason = error.message.replace(/^Invalid TOML document: /, "").split("\n")[0] ?? "";
      throw new InputError(`broken TOML (column ${error.column}): ${reason}`, { file: shownAs, line: error.line });
    }
    throw error;
  }
}

export function isTable(value: unknown): value is TomlTable {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}
