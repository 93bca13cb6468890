import { type Stats, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml, YAMLParseError } from "yaml";
import { InputError, errorMessage } from "../core/errors.ts";
import semver from "semver";
import { PHASES } from "../core/phase.ts";
import { nameGlobProblem, pathGlobProblem } from "../match/glob.ts";
import { parseDynamicCondition, readGlobList } from "./dynamic-schema.ts";
import { parseStaticCondition } from "./static-schema.ts";
import { type DynamicRule, type Rule, type RuleException, type RuleIdException, type RulePack, type StaticRule } from "./types.ts";
import { SEVERITIES } from "../core/severity.ts";
import {
  type FieldContext,
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
export const RULE_API_VERSION = "1.0.0";

const RULE_KEYS = ["id", "type", "description", "explanation", "severity", "match", "except"] as const;
const EXCEPTION_KEYS = ["phases", "paths", "packages", "programs", "files", "unattributed", "reason"] as const;

function parseException(rule: FieldContext, raw: unknown, index: number): RuleException {
  if (!isRecord(raw)) fail(rule, `except[${index}]`, "must be a mapping");
  const ctx: FieldContext = { ...rule, prefix: `except[${index}].` };
  rejectUnknownKeys(ctx, raw, EXCEPTION_KEYS);
  const reason = readString(ctx, raw, "reason");
  const exception: RuleException = {
    phases: readEnumList(ctx, raw, "phases", PHASES),
    paths: readGlobList(ctx, raw, "paths", pathGlobProblem),
    packages: readGlobList(ctx, raw, "packages", nameGlobProblem),
    programs: readGlobList(ctx, raw, "programs", nameGlobProblem),
    files: readStringList(ctx, raw, "files"),
    unattributed: raw.unattributed === undefined ? undefined : readBoolean(ctx, raw, "unattributed", false),
    reason,
  };
  const { reason: _, ...conditions } = exception;
  if (Object.values(conditions).every((value) => value === undefined)) {
    fail(rule, `except[${index}]`, "needs at least one condition (phases, paths, packages, programs, files, unattributed): an exception without one would drop every finding");
  }
  return exception;
}

function parseRule(file: string, pack: string, raw: unknown, index: number): Rule {
  const ctx: FieldContext = { file, ruleId: isRecord(raw) && typeof raw.id === "string" ? raw.id : `#${index + 1}` };
  if (!isRecord(raw)) fail(ctx, "rule", "must be a mapping");
  rejectUnknownKeys(ctx, raw, RULE_KEYS);
  const id = readString(ctx, raw, "id");
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(id)) fail(ctx, "id", "use lower-case letters, digits, '.', '_' and '-'");
  const type = readOptionalString(ctx, raw, "type") ?? "dynamic";
  if (type !== "dynamic" && type !== "static") fail(ctx, "type", "must be 'dynamic' or 'static'");
  const severity = readString(ctx, raw, "severity");
  if (!(SEVERITIES as readonly string[]).includes(severity)) fail(ctx, "severity", `must be one of ${SEVERITIES.join(", ")}`);
  const match = raw.match;
  if (!isRecord(match)) fail(ctx, "match", "is required and must be a mapping");
  const exceptRaw = raw.except ?? [];
  if (!Array.isArray(exceptRaw)) fail(ctx, "except", "must be a list");
  const common = {
    id,
    description: readString(ctx, raw, "description"),
    explanation: readString(ctx, raw, "explanation"),
    severity: severity as Rule["severity"],
    except: exceptRaw.map((entry, i) => parseException(ctx, entry, i)),
    source: { file, pack },
  };
  return type === "dynamic"
    ? { ...common, type, match: parseDynamicCondition(ctx, match) }
    : { ...common, type, match: parseStaticCondition(ctx, match) };
}

/** Parses and validates one rule pack. Throws RuleValidationError naming file, rule id and field. */
export function parseRulePack(file: string, text: string): RulePack {
  let doc: unknown;
  try {
    // Merge keys (`<<: *anchor`) let a pack share one condition block between rules.
    doc = parseYaml(text, { merge: true });
  } catch (error) {
    const where = error instanceof YAMLParseError && error.linePos ? `:${error.linePos[0].line}` : "";
    throw new RuleValidationError(`${file}${where}`, undefined, "(yaml)", error instanceof Error ? error.message.split("\n")[0] ?? "" : String(error));
  }
  const ctx: FieldContext = { file, ruleId: undefined };
  if (!isRecord(doc)) fail(ctx, "(pack)", "a rule pack is a mapping with 'pack', 'api' and 'rules'");
  rejectUnknownKeys(ctx, doc, ["pack", "api", "description", "rules", "exceptions"]);
  const name = readString(ctx, doc, "pack");
  const api = readString(ctx, doc, "api");
  if (semver.validRange(api) === null) fail(ctx, "api", `'${api}' is not a semver range`);
  if (!semver.satisfies(RULE_API_VERSION, api)) fail(ctx, "api", `this pipcanary implements rule API ${RULE_API_VERSION}, the pack needs ${api}`);
  const rules = doc.rules;
  if (!Array.isArray(rules)) fail(ctx, "rules", "must be a list of rules");
  const parsed = rules.map((rule, i) => parseRule(file, name, rule, i));
  const seen = new Set<string>();
  for (const rule of parsed) {
    if (seen.has(rule.id)) fail({ file, ruleId: rule.id }, "id", "is used twice in this pack");
    seen.add(rule.id);
  }
  return { name, api, source: file, rules: parsed, exceptions: parseRuleIdExceptions(file, doc.exceptions) };
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
    .filter((name) => name.endsWith(".yaml") || name.endsWith(".yml"))
    .sort()
    .map((name) => join(path, name));
}

/** Loads user rule packs: each path is a YAML file or a directory of `*.yaml`/`*.yml` files. */
export function loadRulePackFiles(paths: readonly string[]): RulePack[] {
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

export function dynamicRules(packs: readonly RulePack[]): DynamicRule[] {
  return allRules(packs).filter((rule): rule is DynamicRule => rule.type === "dynamic");
}

export function staticRules(packs: readonly RulePack[]): StaticRule[] {
  return allRules(packs).filter((rule): rule is StaticRule => rule.type === "static");
}
