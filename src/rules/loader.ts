import { type Stats, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { type Document, LineCounter, type Node, parseDocument } from "yaml";
import { InputError, errorMessage } from "../core/errors.ts";
import semver from "semver";
import { PHASES } from "../core/phase.ts";
import { pathGlobProblem } from "../core/path-glob.ts";
import { fieldProblem, parseDynamicCondition, readGlobList } from "./dynamic-schema.ts";
import { parseStaticCondition } from "./static-schema.ts";
import { type DynamicRule, type Rule, type RuleException, type RuleIdException, type RulePack, type StaticRule } from "./types.ts";
import { SEVERITIES } from "../core/severity.ts";
import {
  type FieldContext,
  type RuleProblem,
  RuleValidationError,
  fail,
  isRecord,
  readBoolean,
  readEnumList,
  readOptionalString,
  readString,
  readStringList,
  rejectUnknownKeys,
} from "./validate.ts";

/** The rule-pack API this binary implements; packs declare the version they need (`api: ^1.0.0`). */
const RULE_API_VERSION = "1.0.0";

export const RULE_KEYS = ["id", "type", "description", "explanation", "severity", "match", "except"] as const;
export const EXCEPTION_KEYS = ["phases", "paths", "packages", "programs", "files", "unattributed", "reason"] as const;

function parseException(rule: FieldContext, raw: unknown, index: number): RuleException {
  if (!isRecord(raw)) fail(rule, `except[${index}]`, "must be a mapping");
  const ctx: FieldContext = { ...rule, prefix: `except[${index}].` };
  rejectUnknownKeys(ctx, raw, EXCEPTION_KEYS);
  const reason = readString(ctx, raw, "reason");
  const exception: RuleException = {
    phases: readEnumList(ctx, raw, "phases", PHASES),
    paths: readGlobList(ctx, raw, "paths", pathGlobProblem),
    packages: readGlobList(ctx, raw, "packages", fieldProblem("name")),
    programs: readGlobList(ctx, raw, "programs", fieldProblem("name")),
    files: readGlobList(ctx, raw, "files", fieldProblem("path")),
    unattributed: raw.unattributed === undefined ? undefined : readBoolean(ctx, raw, "unattributed", false),
    reason,
  };
  const { reason: _, ...conditions } = exception;
  if (Object.values(conditions).every((value) => value === undefined)) {
    fail(rule, `except[${index}]`, "needs at least one condition (phases, paths, packages, programs, files, unattributed): an exception without one would drop every finding");
  }
  return exception;
}

function parseRule(file: string, pack: string, raw: unknown, index: number, line: number): Rule {
  const ctx: FieldContext = { file, ruleId: isRecord(raw) && typeof raw.id === "string" ? raw.id : `#${index + 1}` };
  if (!isRecord(raw)) fail(ctx, "rule", "must be a mapping");
  // Each part is checked on its own, so one run reports every broken part of the rule.
  const problems: RuleProblem[] = [];
  const attempt = <T>(read: () => T): T | undefined => {
    try {
      return read();
    } catch (error) {
      if (!(error instanceof RuleValidationError)) throw error;
      problems.push(...error.problems);
      return undefined;
    }
  };
  attempt(() => rejectUnknownKeys(ctx, raw, RULE_KEYS));
  const id = attempt(() => {
    const value = readString(ctx, raw, "id");
    if (!/^[a-z0-9][a-z0-9._-]*$/.test(value)) fail(ctx, "id", "use lower-case letters, digits, '.', '_' and '-'");
    return value;
  });
  const type = attempt(() => {
    const value = readOptionalString(ctx, raw, "type") ?? "dynamic";
    if (value !== "dynamic" && value !== "static") fail(ctx, "type", "must be 'dynamic' or 'static'");
    return value;
  });
  const severity = attempt(() => {
    const value = readString(ctx, raw, "severity");
    if (!(SEVERITIES as readonly string[]).includes(value)) fail(ctx, "severity", `must be one of ${SEVERITIES.join(", ")}`);
    return value as Rule["severity"];
  });
  const description = attempt(() => readString(ctx, raw, "description"));
  const explanation = attempt(() => readString(ctx, raw, "explanation"));
  const exceptRaw = attempt(() => {
    const value = raw.except ?? [];
    if (!Array.isArray(value)) fail(ctx, "except", "must be a list");
    return value as unknown[];
  }) ?? [];
  const except = exceptRaw.map((entry, i) => attempt(() => parseException(ctx, entry, i)));
  const match = raw.match;
  if (!isRecord(match)) attempt(() => fail(ctx, "match", "is required and must be a mapping"));
  const dynamicMatch = type === "dynamic" && isRecord(match) ? attempt(() => parseDynamicCondition(ctx, match)) : undefined;
  const staticMatch = type === "static" && isRecord(match) ? attempt(() => parseStaticCondition(ctx, match)) : undefined;
  if (problems.length > 0 || id === undefined || severity === undefined || description === undefined || explanation === undefined) {
    throw new RuleValidationError(problems);
  }
  const common = {
    id, description, explanation, severity,
    except: except.filter((entry): entry is RuleException => entry !== undefined),
    source: { file, pack, line },
  };
  if (dynamicMatch) return { ...common, type: "dynamic", match: dynamicMatch };
  if (staticMatch) return { ...common, type: "static", match: staticMatch };
  throw new RuleValidationError(problems);
}

/** The line of the node at `path` in the pack, or of its closest existing parent. */
function lineOf(doc: Document, lines: LineCounter, path: readonly (string | number)[]): number | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = doc.getIn(path.slice(0, depth), true) as Node | undefined;
    if (node?.range) return lines.linePos(node.range[0]).line;
  }
  return undefined;
}

/** `match.paths` → ["match", "paths"]; `except[1].reason` → ["except", 1, "reason"]. */
function fieldPath(field: string): (string | number)[] {
  return field.split(/\.|\[(\d+)\]\.?/).filter((part) => part !== undefined && part !== "").map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

/**
 * Parses and validates one rule pack. Throws RuleValidationError listing every problem at once (in
 * a `match` block, its first), each with file, line, rule id and field.
 */
export function parseRulePack(file: string, text: string): RulePack {
  const lines = new LineCounter();
  // Merge keys (`<<: *anchor`) let a pack share one condition block between rules.
  const doc = parseDocument(text, { merge: true, lineCounter: lines });
  const yamlError = doc.errors[0];
  if (yamlError) {
    throw new RuleValidationError([{ file, line: yamlError.linePos?.[0].line, ruleId: undefined, field: "(yaml)", problem: yamlError.message.split("\n")[0] ?? "" }]);
  }
  const problems: RuleProblem[] = [];
  const locate = (error: RuleValidationError, base: (string | number)[]): RuleProblem[] =>
    error.problems.map((p) => ({ ...p, line: lineOf(doc, lines, [...base, ...fieldPath(p.field)]) }));
  const doc0: unknown = doc.toJS({ maxAliasCount: 1000 });
  const ctx: FieldContext = { file, ruleId: undefined };
  let header: { name: string; api: string; rules: unknown[]; exceptions: unknown };
  try {
    if (!isRecord(doc0)) fail(ctx, "(pack)", "a rule pack is a mapping with 'pack', 'api' and 'rules'");
    rejectUnknownKeys(ctx, doc0, ["pack", "api", "description", "rules", "exceptions"]);
    const name = readString(ctx, doc0, "pack");
    const api = readString(ctx, doc0, "api");
    if (semver.validRange(api) === null) fail(ctx, "api", `'${api}' is not a semver range`);
    if (!semver.satisfies(RULE_API_VERSION, api)) fail(ctx, "api", `this pipcanary implements rule API ${RULE_API_VERSION}, the pack needs ${api}`);
    const rules = doc0.rules;
    if (!Array.isArray(rules)) fail(ctx, "rules", "must be a list of rules");
    header = { name, api, rules, exceptions: doc0.exceptions };
  } catch (error) {
    if (error instanceof RuleValidationError) throw new RuleValidationError(locate(error, []));
    throw error;
  }
  const parsed: Rule[] = [];
  const seen = new Set<string>();
  header.rules.forEach((raw, i) => {
    try {
      const rule = parseRule(file, header.name, raw, i, lineOf(doc, lines, ["rules", i]) ?? 1);
      if (seen.has(rule.id)) fail({ file, ruleId: rule.id }, "id", "is used twice in this pack");
      seen.add(rule.id);
      parsed.push(rule);
    } catch (error) {
      if (!(error instanceof RuleValidationError)) throw error;
      problems.push(...locate(error, ["rules", i]));
    }
  });
  let exceptions: RuleIdException[] = [];
  try {
    exceptions = parseRuleIdExceptions(file, header.exceptions);
  } catch (error) {
    if (!(error instanceof RuleValidationError)) throw error;
    problems.push(...locate(error, ["exceptions"]));
  }
  if (problems.length > 0) throw new RuleValidationError(problems);
  return { name: header.name, api: header.api, source: file, rules: parsed, exceptions };
}

const RULE_ID_EXCEPTION_KEYS = ["rule", "phases", "packages", "unattributed", "reason"] as const;

/** `exceptions:` of a pack: exceptions to rules of other packs and of plugins, by rule id. */
function parseRuleIdExceptions(file: string, raw: unknown): RuleIdException[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) fail({ file, ruleId: undefined }, "exceptions", "must be a list of { rule, phases, packages, unattributed, reason }");
  return raw.map((entry: unknown, index) => {
    const ctx: FieldContext = { file, ruleId: undefined, prefix: `exceptions[${index}].` };
    if (!isRecord(entry)) fail(ctx, `exceptions[${index}]`, "must be a mapping");
    rejectUnknownKeys(ctx, entry, RULE_ID_EXCEPTION_KEYS);
    const rule = readString(ctx, entry, "rule");
    const { rule: _, ...conditions } = entry;
    return { rule, ...parseException({ file, ruleId: rule }, conditions, index) };
  });
}

function packFilesIn(path: string): string[] {
  let stat: Stats;
  try {
    stat = statSync(path);
  } catch (error) {
    throw new InputError(`rule pack ${path} cannot be read: ${errorMessage(error)}`, undefined, "pass a YAML file or a directory of *.yaml files");
  }
  if (!stat.isDirectory()) return [path];
  return readdirSync(path)
    .filter((name) => /\.ya?ml$/.test(name) && !isCasesFile(name))
    .sort()
    .map((name) => join(path, name));
}

/** `<pack>.cases.yaml` holds the cases of `<pack>.yaml`, not rules. */
export function isCasesFile(name: string): boolean {
  return /\.cases\.ya?ml$/.test(name);
}

/** Loads rule packs: each path is a YAML file or a directory of `*.yaml`/`*.yml` files (cases files left out). */
export function loadRulePacks(paths: readonly string[]): RulePack[] {
  const packs: RulePack[] = [];
  for (const path of paths) {
    for (const file of packFilesIn(path)) {
      let text: string;
      try {
        text = readFileSync(file, "utf8");
      } catch (error) {
        throw new InputError(`rule pack ${file} cannot be read: ${errorMessage(error)}`);
      }
      packs.push(parseRulePack(file, text));
    }
  }
  return packs;
}

/** Every rule of the given packs, refusing a rule id that two packs both define. */
export function allRules(packs: readonly RulePack[]): Rule[] {
  const seen = new Map<string, string>();
  const rules: Rule[] = [];
  for (const pack of packs) {
    for (const rule of pack.rules) {
      const other = seen.get(rule.id);
      if (other !== undefined) fail({ file: pack.source, ruleId: rule.id }, "id", `is already defined in ${other}`);
      seen.set(rule.id, pack.source);
      rules.push(rule);
    }
  }
  return rules;
}
