import type {
  BinaryLayout,
  CallMatch,
  CmdclassMatch,
  SourceScope,
  StaticFactKind,
  StaticMatch,
} from "../rules/static-schema.ts";
import type { StaticRule } from "../rules/types.ts";
import type { StaticFinding } from "../core/finding.ts";
import type { ArchiveIssue } from "./archive/types.ts";
import { compileBinaryPatterns } from "./binaries.ts";
import { compileGlobSet, type GlobSet, globSource, literalRuns } from "../core/glob.ts";
import type { BinaryEntry } from "./inventory.ts";
import type { PthLine } from "./pth.ts";
import type { CallFact, FactInterest, FileFacts, SourceFact } from "./python/facts.ts";

/** A source file with its facts and scope. */
export interface ScopedSource {
  path: string;
  scope: SourceScope;
  facts: FileFacts;
}

/** Everything known about one archive, in the shape the rules match against. */
export interface MatchInput {
  archive: "wheel" | "sdist";
  issues: ArchiveIssue[];
  installPaths: string[];
  pth: { path: string; lines: PthLine[] }[];
  sources: ScopedSource[];
  binaries: BinaryEntry[];
  layout: BinaryLayout | undefined;
}

export interface Hit {
  rule: StaticRule;
  subject: StaticFinding["subject"];
}

interface Compiled {
  rule: StaticRule;
  match: StaticMatch;
  globs: Record<string, GlobSet>;
}

export interface CompiledRules {
  byFact: Map<StaticFactKind, Compiled[]>;
  interest: FactInterest;
  /** One regex over all binary-string rules; group i belongs to binaryRules[i]. */
  binaryPatterns: RegExp | undefined;
  binaryRules: StaticRule[];
}

const SHELL_META = /[;&|`$<>()\n\\]/;

export function compileRules(rules: readonly StaticRule[]): CompiledRules {
  const byFact = new Map<StaticFactKind, Compiled[]>();
  const callGlobs: string[] = [];
  const attributeGlobs: string[] = [];
  const tokens: string[] = [];
  const binaryGlobs: string[] = [];
  const binaryRules: StaticRule[] = [];
  for (const rule of rules) {
    const match = rule.match;
    const globs: Record<string, GlobSet> = {};
    const name = (key: string, list: string[] | undefined) => {
      globs[key] = compileGlobSet(list, "name");
      callGlobs.push(...(list ?? []));
    };
    const text = (key: string, list: string[] | undefined) => (globs[key] = compileGlobSet(list, "text"));
    if ("usedBy" in match) name("usedBy", match.usedBy);
    switch (match.fact) {
      case "call":
        name("names", match.names);
        name("inputs", match.inputs);
        name("sameScope", match.sameScope);
        text("args", match.args);
        text("commands", match.commands);
        text("safeCommands", match.safeCommands);
        globs.callbacks = compileGlobSet(match.callbacks, "name");
        break;
      case "attribute":
        globs.names = compileGlobSet(match.names, "name");
        attributeGlobs.push(...match.names);
        break;
      case "string":
        text("values", match.values);
        tokens.push(...match.values.map(longestLiteral));
        break;
      case "env":
        globs.vars = compileGlobSet(match.vars, "name");
        break;
      case "cmdclass":
        globs.commands = compileGlobSet(match.commands, "name");
        globs.runCalls = compileGlobSet(match.runCalls, "name");
        break;
      case "file":
        globs.paths = compileGlobSet(match.paths, "path");
        break;
      case "binary-string":
        for (const glob of match.strings) {
          binaryGlobs.push(glob);
          binaryRules.push(rule);
        }
        break;
      default:
        break;
    }
    const list = byFact.get(match.fact) ?? [];
    list.push({ rule, match, globs });
    byFact.set(match.fact, list);
  }
  return {
    byFact,
    interest: {
      calls: [...new Set(callGlobs)].map(anchoredName),
      strings: tokens.some((token) => token.length < 3) ? null : withoutRedundant(tokens),
      attributes: [...new Set(attributeGlobs)].map(anchoredName),
      attributeLeaves: [...new Set(attributeGlobs.map((glob) => glob.slice(glob.lastIndexOf(".") + 1)))].map(anchoredName),
    },
    binaryPatterns: binaryGlobs.length > 0 ? compileBinaryPatterns(binaryGlobs) : undefined,
    binaryRules,
  };
}

/** A name glob as the fact extractor's Python `re` receives it: the whole name must match. */
function anchoredName(glob: string): string {
  return `^(?:${globSource(glob, "name")})$`;
}

/** The longest literal run of a glob, lower-cased: a cheap pre-filter token. */
function longestLiteral(glob: string): string {
  return literalRuns(glob).reduce((best, run) => (run.length > best.length ? run : best), "").toLowerCase();
}

/** Tokens minus those that contain another token: a string containing the longer one contains the shorter. */
function withoutRedundant(tokens: readonly string[]): string[] {
  const unique = [...new Set(tokens)];
  return unique.filter((token) => !unique.some((other) => other !== token && token.includes(other)));
}

function anyMatch(set: GlobSet | undefined, values: readonly string[]): boolean {
  return set !== undefined && values.some((value) => set.test(value));
}

/** A list condition: unset passes; set requires some value to match. */
function passes(set: GlobSet | undefined, configured: readonly string[] | undefined, values: readonly string[]): boolean {
  return configured === undefined || anyMatch(set, values);
}

function inScope(scopes: readonly SourceScope[] | undefined, scope: SourceScope): boolean {
  return scopes === undefined || scopes.includes(scope);
}

export function matchFacts(compiled: CompiledRules, input: MatchInput): Hit[] {
  const hits: Hit[] = [];
  const rulesFor = (kind: StaticFactKind) => compiled.byFact.get(kind) ?? [];
  for (const issue of input.issues) {
    for (const { rule, match } of rulesFor("archive")) {
      if (match.fact === "archive" && (match.problems === undefined || match.problems.includes(issue.problem))) {
        hits.push({ rule, subject: { kind: "archive", file: issue.file, detail: issue.detail } });
      }
    }
  }
  for (const { rule, match, globs } of rulesFor("file")) {
    if (match.fact !== "file" || (match.archives && !match.archives.includes(input.archive))) continue;
    for (const path of input.installPaths) {
      if (globs.paths?.test(path)) hits.push({ rule, subject: { kind: "archive", file: path, detail: `the package ships ${path}` } });
    }
  }
  for (const pth of input.pth) {
    for (const line of pth.lines) {
      for (const { rule, match } of rulesFor("pth")) {
        if (match.fact === "pth" && (match.forms === undefined || match.forms.includes(line.form))) {
          hits.push({ rule, subject: { kind: "code", file: pth.path, line: line.line, snippet: line.text.slice(0, 200) } });
        }
      }
    }
  }
  for (const source of input.sources) matchSource(compiled, source, hits);
  for (const binary of input.binaries) {
    for (const hit of binary.hits) {
      const rule = compiled.binaryRules[hit.pattern];
      if (rule) hits.push({ rule, subject: { kind: "code", file: binary.path, line: undefined, snippet: hit.text.slice(0, 200) } });
    }
  }
  if (input.layout !== undefined) {
    for (const { rule, match } of rulesFor("binary-layout")) {
      if (match.fact === "binary-layout" && (match.layouts === undefined || match.layouts.includes(input.layout))) {
        const files = input.binaries.filter((b) => b.kind === "extension").map((b) => b.path);
        hits.push({ rule, subject: { kind: "archive", file: files[0] ?? "", detail: `${input.layout} package with ${files.length} compiled extension file(s)` } });
      }
    }
  }
  return hits;
}

function matchSource(compiled: CompiledRules, source: ScopedSource, hits: Hit[]): void {
  const callsByScope = new Map<number, string[]>();
  for (const fact of source.facts.facts) {
    if (fact.k !== "call") continue;
    const list = callsByScope.get(fact.fn) ?? [];
    list.push(...fact.names);
    callsByScope.set(fact.fn, list);
  }
  const subject = (fact: SourceFact): StaticFinding["subject"] => ({ kind: "code", file: source.path, line: fact.line, snippet: fact.snip });
  for (const fact of source.facts.facts) {
    switch (fact.k) {
      case "call":
        for (const c of compiled.byFact.get("call") ?? []) {
          if (c.match.fact === "call" && callMatches(c.match, c.globs, fact, source.scope, callsByScope)) hits.push({ rule: c.rule, subject: subject(fact) });
        }
        break;
      case "str":
        for (const { rule, match, globs } of compiled.byFact.get("string") ?? []) {
          if (match.fact !== "string" || !inScope(match.scopes, source.scope)) continue;
          if (!match.docstrings && fact.doc) continue;
          if (!match.prose && /\s/.test(fact.value)) continue;
          if ((match.tested && !fact.test) || (match.importTime && !fact.imp)) continue;
          if (globs.values?.test(fact.value) && passes(globs.usedBy, match.usedBy, fact.used_by)) hits.push({ rule, subject: subject(fact) });
        }
        break;
      case "attr":
        for (const { rule, match, globs } of compiled.byFact.get("attribute") ?? []) {
          if (match.fact !== "attribute" || !inScope(match.scopes, source.scope)) continue;
          if ((match.tested && !fact.test) || (match.importTime && !fact.imp)) continue;
          if (anyMatch(globs.names, fact.names)) hits.push({ rule, subject: subject(fact) });
        }
        break;
      case "env":
        for (const { rule, match, globs } of compiled.byFact.get("env") ?? []) {
          if (match.fact !== "env" || !inScope(match.scopes, source.scope)) continue;
          if (match.whole !== (fact.var === null)) continue;
          if (fact.var !== null && !passes(globs.vars, match.vars, [fact.var])) continue;
          if (passes(globs.usedBy, match.usedBy, fact.used_by)) hits.push({ rule, subject: subject(fact) });
        }
        break;
      case "blob":
        for (const { rule, match, globs } of compiled.byFact.get("blob") ?? []) {
          if (match.fact !== "blob" || !inScope(match.scopes, source.scope)) continue;
          if (match.encodings && !match.encodings.includes(fact.enc)) continue;
          if (match.minLength !== undefined && fact.length < match.minLength) continue;
          if (passes(globs.usedBy, match.usedBy, fact.used_by)) hits.push({ rule, subject: subject(fact) });
        }
        break;
      case "cmdclass":
        for (const { rule, match, globs } of compiled.byFact.get("cmdclass") ?? []) {
          if (match.fact === "cmdclass" && cmdclassMatches(match, globs, fact.command, fact.run_calls, source.scope)) {
            hits.push({ rule, subject: { kind: "code", file: source.path, line: fact.line, snippet: fact.snip } });
          }
        }
        break;
      default:
        break;
    }
  }
}

function cmdclassMatches(match: CmdclassMatch, globs: Record<string, GlobSet>, command: string, runCalls: string[], scope: SourceScope): boolean {
  return inScope(match.scopes, scope) && passes(globs.commands, match.commands, [command]) && passes(globs.runCalls, match.runCalls, runCalls);
}

function callMatches(match: CallMatch, globs: Record<string, GlobSet>, fact: CallFact, scope: SourceScope, callsByScope: Map<number, string[]>): boolean {
  if (!inScope(match.scopes, scope)) return false;
  if ((match.tested && !fact.test) || (match.importTime && !fact.imp)) return false;
  if (!passes(globs.names, match.names, fact.names)) return false;
  if (!passes(globs.callbacks, match.callbacks, fact.cb ?? [])) return false;
  if (!passes(globs.args, match.args, fact.args)) return false;
  const command = fact.cmd ?? "";
  if (match.commands !== undefined && !(fact.cmd !== undefined && globs.commands?.test(command))) return false;
  if (match.safeCommands !== undefined && fact.cmd !== undefined && !SHELL_META.test(command) && globs.safeCommands?.test(command)) return false;
  if (match.keywords !== undefined && !match.keywords.some((keyword) => keywordMatches(keyword, fact.kw))) return false;
  if (!passes(globs.inputs, match.inputs, fact.inputs)) return false;
  if (!passes(globs.usedBy, match.usedBy, fact.used_by)) return false;
  if (match.sameScope !== undefined) {
    const others = (callsByScope.get(fact.fn) ?? []).filter((name) => !fact.names.includes(name));
    if (!anyMatch(globs.sameScope, others)) return false;
  }
  return true;
}

function keywordMatches(condition: string, keywords: Record<string, string>): boolean {
  const equals = condition.indexOf("=");
  if (equals === -1) return condition in keywords;
  const value = keywords[condition.slice(0, equals)];
  return value !== undefined && value === condition.slice(equals + 1);
}
