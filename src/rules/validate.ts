import { PipcanaryError } from "../core/errors.ts";
import { ExitCode } from "../core/exit-codes.ts";

/**
 * Small typed readers for YAML-decoded values. Every failure names the file, the rule id and the
 * field, because rule packs are written by people outside this project.
 */
/** One schema problem of a rule pack, located by file and line. */
export interface RuleProblem {
  file: string;
  /** 1-based line of the field (or of the rule, when the field is missing). */
  line: number | undefined;
  ruleId: string | undefined;
  field: string;
  problem: string;
}

function problemText(p: RuleProblem): string {
  return `${p.file}${p.line === undefined ? "" : `:${p.line}`}: rule ${p.ruleId ?? "(no id)"}: field '${p.field}': ${p.problem}`;
}

/** Every schema problem of a pack at once, one line each, so a pack is fixed in one round. */
export class RuleValidationError extends PipcanaryError {
  readonly problems: readonly RuleProblem[];

  constructor(problems: readonly RuleProblem[]) {
    super(problems.map(problemText).join("\n"), ExitCode.InvalidInput, "fix the rule pack, or leave it out of --rules");
    this.name = "RuleValidationError";
    this.problems = problems;
  }

  get file(): string {
    return this.problems[0]?.file ?? "";
  }

  get ruleId(): string | undefined {
    return this.problems[0]?.ruleId;
  }

  get field(): string {
    return this.problems[0]?.field ?? "";
  }
}

export interface FieldContext {
  file: string;
  ruleId: string | undefined;
  /** Prepended to field names, e.g. `match.` or `except[0].`. */
  prefix?: string;
}

export type Raw = Record<string, unknown>;

export function isRecord(value: unknown): value is Raw {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function fail(ctx: FieldContext, field: string, problem: string): never {
  throw new RuleValidationError([{ file: ctx.file, line: undefined, ruleId: ctx.ruleId, field: `${ctx.prefix ?? ""}${field}`, problem }]);
}

export function readString(ctx: FieldContext, raw: Raw, field: string): string {
  const value = raw[field];
  if (typeof value !== "string" || value.trim() === "") fail(ctx, field, "must be a non-empty string");
  return value;
}

export function readOptionalString(ctx: FieldContext, raw: Raw, field: string): string | undefined {
  return raw[field] === undefined ? undefined : readString(ctx, raw, field);
}

/** A string or a list of strings; undefined when absent. */
export function readStringList(ctx: FieldContext, raw: Raw, field: string): string[] | undefined {
  const value = raw[field];
  if (value === undefined) return undefined;
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) fail(ctx, field, "must not be empty");
  for (const item of list) {
    if (typeof item !== "string" || item === "") fail(ctx, field, "must be a string or a list of non-empty strings");
  }
  return list as string[];
}

export function readEnumList<T extends string>(ctx: FieldContext, raw: Raw, field: string, allowed: readonly T[]): T[] | undefined {
  const list = readStringList(ctx, raw, field);
  if (list === undefined) return undefined;
  for (const item of list) {
    if (!(allowed as readonly string[]).includes(item)) fail(ctx, field, `'${item}' is not one of ${allowed.join(", ")}`);
  }
  return list as T[];
}

export function readNumberList(ctx: FieldContext, raw: Raw, field: string): number[] | undefined {
  const value = raw[field];
  if (value === undefined) return undefined;
  const list = Array.isArray(value) ? value : [value];
  for (const item of list) {
    if (typeof item !== "number" || !Number.isInteger(item) || item < 0 || item > 65535) fail(ctx, field, "must be a port number or a list of them");
  }
  return list as number[];
}

export function readBoolean(ctx: FieldContext, raw: Raw, field: string, fallback: boolean): boolean {
  const value = raw[field];
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") fail(ctx, field, "must be true or false");
  return value;
}

/** Rejects keys the schema does not know, so a typo never silently disables a condition. */
export function rejectUnknownKeys(ctx: FieldContext, raw: Raw, known: readonly string[], prefix = ""): void {
  for (const key of Object.keys(raw)) {
    if (!known.includes(key)) fail(ctx, `${prefix}${key}`, `unknown field (known: ${known.join(", ")})`);
  }
}
