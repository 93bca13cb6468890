import type { CallFact, EnvFact, FileFacts, SourceFact, StringFact } from "./facts.ts";

/**
 * A line-based pass for files the AST cannot read (Python 2 code, syntax errors, files nested too
 * deeply). It resolves only plain `import x as y` / `from x import y` aliases, so it finds less
 * than the AST extractor, but a payload in a file that does not parse is still seen.
 */
const CALL = /([A-Za-z_][\w.]*)\s*\(/g;
const PY2_EXEC = /^\s*exec\s+(?!\()/;
const QUOTED = /(?:[rbuRBU]{0,2})("""|'''|"|')((?:\\.|(?!\1)[^\\])*)\1/g;
const ENV_SUBSCRIPT = /\bos\.environ\s*\[\s*['"]([^'"]+)['"]\s*\]/g;
const ENV_GET = /\b(?:os\.environ\.get|os\.getenv|os\.environ\.setdefault)\s*\(\s*['"]([^'"]+)['"]/g;
const ENV_WHOLE = /\bos\.environ\b(?!\s*(?:\[|\.get\b|\.setdefault\b|\.pop\b|\.__getitem__\b))/;
const IMPORT_AS = /^\s*import\s+([\w.]+)\s+as\s+(\w+)/;
const FROM_IMPORT = /^\s*from\s+([\w.]+)\s+import\s+(.+)$/;
const KEYWORD = /\b(\w+)\s*=\s*(True|False|None|\d+)\b/g;
const DUNDER_IMPORT = /__import__\(\s*['"]([\w.]+)['"]\s*\)\s*\.\s*(\w+)/g;
const MAX_LINE = 4000;

export function regexFacts(bytes: Uint8Array, error: string): FileFacts {
  const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes);
  const lines = text.split(/\r?\n|\r/);
  const aliases = collectAliases(lines);
  const facts: SourceFact[] = [];
  lines.forEach((rawLine, index) => {
    const line = rawLine.length > MAX_LINE ? rawLine.slice(0, MAX_LINE) : rawLine;
    if (line.trimStart().startsWith("#")) return;
    const lineNo = index + 1;
    const snip = line.trim().slice(0, 200);
    const strings = [...line.matchAll(QUOTED)].map((m) => m[2] ?? "");
    const calls = callNames(line, aliases);
    const keywords: Record<string, string> = {};
    for (const m of line.matchAll(KEYWORD)) keywords[m[1] ?? ""] = m[2] ?? "";
    calls.forEach((name, position) => {
      const fact: CallFact = {
        k: "call", line: lineNo, fn: 0, snip, names: [name], args: strings, kw: keywords,
        inputs: calls.slice(position + 1), used_by: calls.slice(0, position),
      };
      if (strings[0] !== undefined) fact.cmd = strings[0];
      facts.push(fact);
    });
    for (const value of strings) {
      const fact: StringFact = { k: "str", line: lineNo, fn: 0, snip, value, used_by: calls };
      facts.push(fact);
    }
    for (const pattern of [ENV_SUBSCRIPT, ENV_GET]) {
      for (const m of line.matchAll(pattern)) {
        const fact: EnvFact = { k: "env", line: lineNo, fn: 0, snip, var: m[1] ?? "{}", how: "regex", used_by: calls };
        facts.push(fact);
      }
    }
    if (ENV_WHOLE.test(line)) facts.push({ k: "env", line: lineNo, fn: 0, snip, var: null, how: "regex", used_by: calls });
  });
  return { parse: "regex-fallback", error, facts, imports: [] };
}

function collectAliases(lines: readonly string[]): Map<string, string> {
  const aliases = new Map<string, string>();
  for (const line of lines) {
    const importAs = IMPORT_AS.exec(line);
    if (importAs) aliases.set(importAs[2] ?? "", importAs[1] ?? "");
    const fromImport = FROM_IMPORT.exec(line);
    if (fromImport) {
      for (const part of (fromImport[2] ?? "").replace(/[()]/g, "").split(",")) {
        const [name, alias] = part.trim().split(/\s+as\s+/);
        if (name && /^\w+$/.test(name)) aliases.set(alias ?? name, `${fromImport[1]}.${name}`);
      }
    }
  }
  return aliases;
}

function callNames(line: string, aliases: Map<string, string>): string[] {
  const names: string[] = [];
  for (const m of line.matchAll(DUNDER_IMPORT)) names.push(`${m[1]?.split(".")[0]}.${m[2]}`);
  if (PY2_EXEC.test(line)) names.push("exec");
  for (const m of line.matchAll(CALL)) {
    const written = m[1] ?? "";
    const [head, ...rest] = written.split(".");
    const resolved = head !== undefined && aliases.has(head) ? [aliases.get(head), ...rest].join(".") : written;
    names.push(resolved.replace(/^(?:builtins|__builtin__)\./, ""));
  }
  return names;
}
