import type { Origin } from "../core/errors.ts";
import { normalizeName } from "../core/names.ts";
import type { Requirement } from "../core/requirements.ts";
import type { Finding } from "../core/finding.ts";
import { CONFUSABLES } from "./data/confusables.ts";
import popularText from "./data/popular-projects.txt" with { type: "text" };

/**
 * Package-name checks that run before pip sees anything: a non-ASCII name is refused (homoglyph
 * attack); a name one edit (a changed, missing, extra or swapped letter) away from a very popular
 * project blocks the scan unless the user accepts it with --allow-name, since that is how
 * typosquatting packages are named; other near names (separators, a py/python affix) are warnings,
 * since many legitimate names are built like that.
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

/**
 * Checks one project name; `origin` (file:line) is added to the message when given. `allowNames`
 * (normalised, from --allow-name) turns a one-edit look-alike from blocking into a note.
 */
export function checkPackageName(name: string, origin?: Origin, allowNames: readonly string[] = []): Finding[] {
  const where = origin ? `${origin.file}:${origin.line}: ` : "";
  const foreign = [...name].filter((char) => (char.codePointAt(0) ?? 0) >= 0x80);
  if (foreign.length > 0) return [homoglyphFinding(name, foreign, where)];
  const normalized = normalizeName(name);
  if (POPULAR_PROJECTS.has(normalized)) return [];
  const target = typoTarget(normalized);
  if (!target) return [];
  const severity = !target.oneEdit ? "warn" : allowNames.includes(normalized) ? "info" : "block";
  return [typosquatFinding(name, target, severity, where)];
}

/** Runs before pip sees the requirements; a homoglyph or one-edit look-alike name blocks. */
export function checkRequirementNames(requirements: readonly Requirement[], allowNames: readonly string[] = []): Finding[] {
  return requirements.flatMap((requirement) => checkPackageName(requirement.name, requirement.origin, allowNames));
}

function homoglyphFinding(name: string, foreign: string[], where: string): Finding {
  const characters = [...new Set(foreign)].map((char) => {
    const info = describeCharacter(char);
    const looks = info.ascii ? `, which looks like "${info.ascii}"` : "";
    return `"${char}" (${info.codePoint}${info.name ? ` ${info.name}` : ""}${looks})`;
  });
  const imitated = imitatedName(name);
  const target = imitated && imitated !== name ? ` It imitates "${imitated}".` : "";
  return nameFinding(
    "static.name.homoglyph",
    "block",
    "Package name with non-ASCII look-alike characters.",
    `${where}the package name "${name}" contains ${characters.join(", ")}.${target} Python package names are ASCII; ` +
      "a name like this exists only to be mistaken for another package. Type the name again by hand.",
    name,
    `non-ASCII character ${characters[0] ?? ""}`,
  );
}

function typosquatFinding(name: string, target: TypoTarget, severity: Finding["severity"], where: string): Finding {
  const fix =
    severity === "block"
      ? ` If you really meant "${name}", accept it with --allow-name ${normalizeName(name)}.`
      : severity === "info"
        ? ` Accepted with --allow-name.`
        : "";
  return nameFinding(
    "static.name.typosquat",
    severity,
    "Package name close to a popular project.",
    `${where}"${name}" is not "${target.name}" but differs from it by ${target.how}. Typosquatting packages use names like this; ` +
      `check that you meant "${name}" and not "${target.name}".${fix}`,
    name,
    `${target.how} from "${target.name}"`,
  );
}

function nameFinding(ruleId: string, severity: Finding["severity"], description: string, explanation: string, name: string, detail: string): Finding {
  return {
    source: "name", ruleId, severity, description, explanation, package: normalizeName(name), phase: "static",
    subject: { kind: "name", name, detail },
  };
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
