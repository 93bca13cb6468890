/**
 * Glob patterns of static rules. Three flavours, because the things they match differ:
 * - "name": dotted call names; `*` matches anything (dots included), case-sensitive.
 * - "path": archive paths; `*` stays within one segment, `**` crosses segments.
 * - "text": string constants and binary strings; like "name" but case-insensitive.
 * `?` is one character. Everything else is literal.
 */
export type GlobFlavour = "name" | "path" | "text";

const SPECIAL = /[\\^$.|+()[\]{}/]/g;

/** Regex source (no flags) for one glob; understood identically by JavaScript and Python `re`. */
export function globSource(glob: string, flavour: GlobFlavour): string {
  let out = "";
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i] as string;
    if (char === "*") {
      if (flavour === "path" && glob[i + 1] === "*") {
        out += ".*";
        i++;
      } else {
        out += flavour === "path" ? "[^/]*" : ".*";
      }
    } else if (char === "?") {
      out += flavour === "path" ? "[^/]" : ".";
    } else {
      out += char.replace(SPECIAL, (c) => `\\${c}`);
    }
  }
  return `^(?:${out})$`;
}

export interface GlobSet {
  readonly globs: readonly string[];
  test(value: string): boolean;
}

const NEVER: GlobSet = { globs: [], test: () => false };

export function compileGlobs(globs: readonly string[] | undefined, flavour: GlobFlavour): GlobSet {
  if (!globs || globs.length === 0) return NEVER;
  const regex = new RegExp(globs.map((glob) => globSource(glob, flavour)).join("|"), flavour === "text" ? "is" : "s");
  return { globs, test: (value) => regex.test(value) };
}

/** The longest run of literal characters in a glob, lower-cased: a cheap pre-filter token. */
export function literalToken(glob: string): string {
  let best = "";
  for (const part of glob.split(/[*?]/)) if (part.length > best.length) best = part;
  return best.toLowerCase();
}
