/**
 * Recursive-descent PEP 508 parser. Grammar (whitespace rules as in `packaging`):
 *
 *   requirement = WS? IDENTIFIER WS? extras WS? details END
 *   details     = AT WS? URL (WS marker_part?)? | specifier WS? marker_part?
 *   marker_part = SEMICOLON marker WS?
 *   extras      = (LEFT_BRACKET WS? IDENTIFIER (WS? COMMA WS? IDENTIFIER)* WS? RIGHT_BRACKET)?
 *   specifier   = LEFT_PARENTHESIS WS? clauses WS? RIGHT_PARENTHESIS | clauses
 *   clauses     = (SPECIFIER (WS? COMMA WS? SPECIFIER)*)?
 *   marker      = and (OR and)*          -- `and` binds tighter than `or`
 *   and         = atom (AND atom)*
 *   atom        = WS? (LEFT_PARENTHESIS marker RIGHT_PARENTHESIS | var WS? op WS? var) WS?
 *   var         = VARIABLE | QUOTED_STRING
 *   op          = OP | IN | NOT WS IN
 */
import type { MarkerNode, MarkerOp, MarkerValue, MarkerVariable } from "../../core/requirements.ts";
import { normalizeSpecifierClause } from "./specifier.ts";
import { Tokenizer } from "./tokenizer.ts";

export interface ParsedRequirement {
  name: string;
  extras: string[];
  /** Comma-joined clauses without whitespace, "" for none. */
  specifier: string;
  url: string | undefined;
  marker: MarkerNode | undefined;
}

/** Old spellings that `packaging` still accepts, mapped to the PEP 508 names. */
const VARIABLE_ALIASES: Record<string, MarkerVariable> = {
  "os.name": "os_name",
  "sys.platform": "sys_platform",
  "platform.version": "platform_version",
  "platform.machine": "platform_machine",
  "platform.python_implementation": "platform_python_implementation",
  python_implementation: "platform_python_implementation",
};

export function parseRequirementText(text: string): ParsedRequirement {
  const t = new Tokenizer(text);
  t.consume("WS");
  const name = t.expect("IDENTIFIER", "a package name at the start of the requirement").text;
  t.consume("WS");
  const extras = parseExtras(t);
  t.consume("WS");
  const details = parseDetails(t);
  t.expect("END", "the end of the requirement");
  return { name, extras, ...details };
}

/** Parses a marker expression on its own (as found after `;`, or in Requires-Dist). */
export function parseMarkerText(text: string): MarkerNode {
  const t = new Tokenizer(text);
  const marker = parseMarker(t);
  t.consume("WS");
  t.expect("END", "'and', 'or' or the end of the marker");
  return marker;
}

function parseExtras(t: Tokenizer): string[] {
  if (!t.consume("LEFT_BRACKET")) return [];
  t.consume("WS");
  const extras: string[] = [];
  if (t.check("IDENTIFIER")) {
    extras.push(t.read().text);
    for (;;) {
      t.consume("WS");
      if (!t.consume("COMMA")) break;
      t.consume("WS");
      extras.push(t.expect("IDENTIFIER", "an extra name after ','").text);
    }
  }
  t.consume("WS");
  t.expect("RIGHT_BRACKET", "']' to close the extras, or ',' between extra names");
  return extras;
}

function parseDetails(t: Tokenizer): Omit<ParsedRequirement, "name" | "extras"> {
  if (t.consume("AT")) {
    t.consume("WS");
    const url = t.expect("URL", "a URL after '@'").text;
    if (t.check("END")) return { specifier: "", url, marker: undefined };
    t.expect("WS", "whitespace after the URL");
    if (t.check("END")) return { specifier: "", url, marker: undefined };
    const marker = parseMarkerPart(t, "';' and a marker after the URL");
    return { specifier: "", url, marker };
  }
  const specifier = parseSpecifier(t);
  t.consume("WS");
  if (t.check("END")) return { specifier, url: undefined, marker: undefined };
  const expected = specifier === "" ? "'[', '(', a version specifier, '@', ';' or the end" : "',', ';' or the end after the version specifier";
  const marker = parseMarkerPart(t, expected);
  return { specifier, url: undefined, marker };
}

function parseMarkerPart(t: Tokenizer, expected: string): MarkerNode {
  t.expect("SEMICOLON", expected);
  const marker = parseMarker(t);
  t.consume("WS");
  return marker;
}

function parseSpecifier(t: Tokenizer): string {
  if (!t.consume("LEFT_PARENTHESIS")) return parseClauses(t);
  t.consume("WS");
  const clauses = parseClauses(t);
  t.consume("WS");
  t.expect("RIGHT_PARENTHESIS", "')' to close the version specifier");
  return clauses;
}

function parseClauses(t: Tokenizer): string {
  const clauses: string[] = [];
  while (t.check("SPECIFIER")) {
    const token = t.read();
    const clause = normalizeSpecifierClause(token.text);
    if (!clause.ok) t.fail(clause.reason, token.position, false);
    clauses.push(clause.value);
    t.consume("WS");
    if (!t.consume("COMMA")) break;
    t.consume("WS");
    if (!t.check("SPECIFIER")) t.fail("expected a version specifier such as '>=1.0' after ','");
  }
  return clauses.join(",");
}

function parseMarker(t: Tokenizer): MarkerNode {
  let left = parseMarkerAnd(t);
  while (t.consume("OR")) left = { type: "or", left, right: parseMarkerAnd(t) };
  return left;
}

function parseMarkerAnd(t: Tokenizer): MarkerNode {
  let left = parseMarkerAtom(t);
  while (t.consume("AND")) left = { type: "and", left, right: parseMarkerAtom(t) };
  return left;
}

function parseMarkerAtom(t: Tokenizer): MarkerNode {
  t.consume("WS");
  let node: MarkerNode;
  if (t.consume("LEFT_PARENTHESIS")) {
    node = parseMarker(t);
    t.consume("WS");
    t.expect("RIGHT_PARENTHESIS", "')' to close the marker group, or 'and'/'or'");
  } else {
    const left = parseMarkerValue(t);
    t.consume("WS");
    const op = parseMarkerOp(t);
    t.consume("WS");
    const right = parseMarkerValue(t);
    node = { type: "compare", left, op, right };
  }
  t.consume("WS");
  return node;
}

function parseMarkerValue(t: Tokenizer): MarkerValue {
  if (t.check("VARIABLE")) {
    const text = t.read().text;
    return { type: "variable", name: VARIABLE_ALIASES[text] ?? (text as MarkerVariable) };
  }
  if (t.check("QUOTED_STRING")) return { type: "literal", value: t.read().text.slice(1, -1) };
  t.fail("expected a marker variable (such as python_version or sys_platform) or a quoted string");
}

function parseMarkerOp(t: Tokenizer): MarkerOp {
  if (t.consume("IN")) return "in";
  if (t.consume("NOT")) {
    t.expect("WS", "whitespace after 'not'");
    t.expect("IN", "'in' after 'not'");
    return "not in";
  }
  if (t.check("OP")) return t.read().text as MarkerOp;
  t.fail("expected a marker operator (<, <=, ==, !=, >=, >, ~=, ===, in, not in)");
}
