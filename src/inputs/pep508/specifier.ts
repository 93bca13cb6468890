import { explain, validRange } from "@renovatebot/pep440";

/**
 * Checks one specifier clause (`>=1.0`, `== 2.*`) and returns it without inner whitespace, or a
 * reason why it is not valid PEP 440.
 */
export function normalizeSpecifierClause(clause: string): { ok: true; value: string } | { ok: false; reason: string } {
  const match = /^(===|==|~=|!=|<=|>=|<|>)\s*(.*)$/.exec(clause.trim());
  if (!match) return { ok: false, reason: `'${clause}' does not start with a comparison operator` };
  const operator = match[1] ?? "";
  const version = match[2] ?? "";
  const value = `${operator}${version}`;
  if (version === "") return { ok: false, reason: `expected a version after '${operator}'` };
  if (validRange(value)) return { ok: true, value };
  return { ok: false, reason: explainInvalidClause(operator, version) };
}

function explainInvalidClause(operator: string, version: string): string {
  const wildcard = version.endsWith(".*");
  const base = wildcard ? version.slice(0, -2) : version;
  const parsed = explain(base);
  if (!parsed) return `'${version}' is not a valid PEP 440 version`;
  if (wildcard && operator !== "==" && operator !== "!=") return `a '.*' suffix is only allowed with == and != (found '${operator}${version}')`;
  if (wildcard) return `a '.*' suffix cannot follow a dev release or local label (found '${operator}${version}')`;
  if (parsed.local) return `a local version label ('+${parsed.local}') is only allowed with == and != (found '${operator}${version}')`;
  if (operator === "~=") return `'~=' needs at least two release segments, such as ~=1.4 (found '${operator}${version}')`;
  return `'${operator}${version}' is not a valid PEP 440 specifier`;
}
