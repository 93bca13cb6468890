import { normalizeName } from "../core/names.ts";
import { CONFUSABLES } from "./data/confusables.ts";
import popularText from "./data/popular-projects.txt" with { type: "text" };

/**
 * What a package name looks like: its non-ASCII characters described (a homoglyph attack), or the
 * very popular project it is one slip away from (typosquatting). The names plugin
 * (src/plugins/builtin/names.ts) turns these into findings before pip sees anything.
 */
const LOOKALIKE = new Map(CONFUSABLES.map(([code, ascii, name]) => [code, { ascii, name }]));
const DIGIT_NAMES = ["ZERO", "ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN", "EIGHT", "NINE"];

const POPULAR_PROJECTS: ReadonlySet<string> = new Set(
  popularText.split("\n").map((line) => line.trim()).filter((line) => line !== "" && !line.startsWith("#")).map(normalizeName),
);

export interface CharacterInfo {
  codePoint: string;
  name: string | undefined;
  /** The ASCII text it looks like, when known. */
  ascii: string | undefined;
}

export function describeCharacter(char: string): CharacterInfo {
  const code = char.codePointAt(0) ?? 0;
  const codePoint = `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
  const known = LOOKALIKE.get(code);
  if (known) return { codePoint, name: known.name, ascii: known.ascii };
  const nfkc = char.normalize("NFKC");
  const ascii = /^[\x21-\x7e]+$/.test(nfkc) ? nfkc : undefined;
  return { codePoint, name: fullwidthName(code), ascii };
}

function fullwidthName(code: number): string | undefined {
  if (code >= 0xff21 && code <= 0xff3a) return `FULLWIDTH LATIN CAPITAL LETTER ${String.fromCharCode(code - 0xff21 + 65)}`;
  if (code >= 0xff41 && code <= 0xff5a) return `FULLWIDTH LATIN SMALL LETTER ${String.fromCharCode(code - 0xff41 + 65)}`;
  if (code >= 0xff10 && code <= 0xff19) return `FULLWIDTH DIGIT ${DIGIT_NAMES[code - 0xff10]}`;
  const named: Record<number, string> = { 0xff0d: "FULLWIDTH HYPHEN-MINUS", 0xff0e: "FULLWIDTH FULL STOP", 0xff3f: "FULLWIDTH LOW LINE" };
  return named[code];
}

/** The ASCII name a non-ASCII name imitates, when every foreign character has a known look-alike. */
export function imitatedName(name: string): string | undefined {
  let out = "";
  for (const char of name) {
    if (char.charCodeAt(0) < 0x80) out += char;
    else {
      const info = describeCharacter(char);
      if (info.ascii === undefined) return undefined;
      out += info.ascii;
    }
  }
  return out.toLowerCase();
}

/** What makes a name a look-alike: a non-ASCII character, or one slip from a very popular project. */
export type Lookalike =
  | {
      kind: "homoglyph";
      /** Each distinct non-ASCII character, described: `"е" (U+0435 CYRILLIC SMALL LETTER IE, which looks like "e")`. */
      characters: string[];
      /** The ASCII name it imitates, when every foreign character has a known look-alike. */
      imitated: string | undefined;
    }
  | { kind: "typosquat"; target: TypoTarget };

/** The look-alike a project name is, if any; a non-ASCII name is a homoglyph before anything else. */
export function lookalikeOf(name: string): Lookalike | undefined {
  const foreign = [...name].filter((char) => (char.codePointAt(0) ?? 0) >= 0x80);
  if (foreign.length > 0) {
    const characters = [...new Set(foreign)].map((char) => {
      const info = describeCharacter(char);
      const looks = info.ascii ? `, which looks like "${info.ascii}"` : "";
      return `"${char}" (${info.codePoint}${info.name ? ` ${info.name}` : ""}${looks})`;
    });
    const imitated = imitatedName(name);
    return { kind: "homoglyph", characters, imitated: imitated !== name ? imitated : undefined };
  }
  const normalized = normalizeName(name);
  if (POPULAR_PROJECTS.has(normalized)) return undefined;
  const target = typoTarget(normalized);
  return target ? { kind: "typosquat", target } : undefined;
}

export interface TypoTarget {
  name: string;
  how: string;
  /** One changed, missing, extra or swapped letter (not separators or a py/python affix). */
  oneEdit: boolean;
}

/** A popular project this name is one slip away from, and how. */
function typoTarget(normalized: string): TypoTarget | undefined {
  const squashed = normalized.replace(/-/g, "");
  for (const popular of POPULAR_PROJECTS) {
    if (popular.replace(/-/g, "") === squashed) return { name: popular, how: "separators", oneEdit: false };
  }
  for (const candidate of affixVariants(normalized)) {
    if (POPULAR_PROJECTS.has(candidate)) return { name: candidate, how: "a py/python prefix or suffix", oneEdit: false };
  }
  for (const popular of POPULAR_PROJECTS) {
    if (normalized.length >= 4 && affixVariants(popular).includes(normalized)) return { name: popular, how: "a py/python prefix or suffix", oneEdit: false };
  }
  if (normalized.length < 5) return undefined;
  for (const popular of POPULAR_PROJECTS) {
    if (popular.length < 5 || Math.abs(popular.length - normalized.length) > 1) continue;
    const edit = oneEdit(normalized, popular);
    if (edit) return { name: popular, how: edit, oneEdit: true };
  }
  return undefined;
}

const PREFIXES = ["python-", "python", "py-", "py"];
const SUFFIXES = ["-python", "python", "-py", "py"];

function affixVariants(name: string): string[] {
  const out: string[] = [];
  for (const prefix of PREFIXES) if (name.startsWith(prefix) && name.length > prefix.length + 2) out.push(name.slice(prefix.length));
  for (const suffix of SUFFIXES) if (name.endsWith(suffix) && name.length > suffix.length + 2) out.push(name.slice(0, -suffix.length));
  return out;
}

/** One substitution, insertion, deletion or swap of adjacent letters; undefined otherwise. */
function oneEdit(a: string, b: string): string | undefined {
  if (a === b) return undefined;
  if (a.length === b.length) {
    const diffs: number[] = [];
    for (let i = 0; i < a.length && diffs.length <= 2; i++) if (a[i] !== b[i]) diffs.push(i);
    if (diffs.length === 1) return "one changed letter";
    const [i, j] = diffs as [number, number];
    if (diffs.length === 2 && j === i + 1 && a[i] === b[j] && a[j] === b[i]) return "two swapped letters";
    return undefined;
  }
  const [longer, shorter] = a.length > b.length ? [a, b] : [b, a];
  for (let i = 0; i < longer.length; i++) {
    if (longer.slice(0, i) + longer.slice(i + 1) === shorter) return a.length > b.length ? "one extra letter" : "one missing letter";
  }
  return undefined;
}
