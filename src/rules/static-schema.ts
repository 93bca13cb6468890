import { type GlobField, globProblem } from "../core/glob.ts";
import { ARCHIVE_PROBLEMS, type ArchiveProblem } from "../core/archive-problem.ts";
import { type FieldContext, type Raw, fail, readBoolean, readEnumList, readOptionalString, readStringList, rejectUnknownKeys } from "./validate.ts";

/**
 * The `match` block of a static rule. `fact` picks what the rule looks at; every other field that
 * is set must match (AND); within a list any entry may match (OR). Globs are those of every rule
 * (src/core/glob.ts): call names and env var names are case-sensitive, text (string constants,
 * commands, binary strings) is not, file paths use `*` within a segment and `**` segments across.
 */
export type SourceScope = "install" | "runtime";
export const SOURCE_SCOPES: readonly SourceScope[] = ["install", "runtime"];

/**
 * Which allowlist may lower a finding by one level (block → warn → info):
 * - `never`: nothing lowers it (code in .pth files, exec of decoded data),
 * - `credential`: packages whose purpose is credential handling (built-in list) and the user's list,
 * - `user` (default): only packages the user allowlisted.
 */
export type Lowering = "never" | "credential" | "user";
export const LOWERINGS: readonly Lowering[] = ["never", "credential", "user"];

export const PTH_FORMS = ["code", "known-hook"] as const;
export type PthForm = (typeof PTH_FORMS)[number];
export const BINARY_LAYOUTS = ["binary-only", "mixed"] as const;
export type BinaryLayout = (typeof BINARY_LAYOUTS)[number];
export const BLOB_ENCODINGS = ["base64", "hex"] as const;
export const ARCHIVE_KINDS = ["wheel", "sdist"] as const;

interface MatchBase {
  lowering: Lowering;
}

/** A problem with the archive itself (traversal, links, bombs, limits, damage). */
export interface ArchiveMatch extends MatchBase {
  fact: "archive";
  problems: ArchiveProblem[] | undefined;
}

/** A file present in the archive, by its path relative to where it is installed. */
export interface FileMatch extends MatchBase {
  fact: "file";
  paths: string[];
  archives: ("wheel" | "sdist")[] | undefined;
}

/** An executable line of a .pth file that site.py runs at every interpreter start. */
export interface PthMatch extends MatchBase {
  fact: "pth";
  forms: PthForm[] | undefined;
}

interface CodeMatchBase extends MatchBase {
  scopes: SourceScope[] | undefined;
  /** Calls that consume the value (enclosing calls, and calls later given a variable holding it). */
  usedBy: string[] | undefined;
}

/** Rules whose findings are only a warning on their own but block next to another rule's finding. */
interface EscalatingMatch {
  /**
   * true: only where it runs while the module is imported (module and class bodies outside
   * `if __name__ == "__main__"`, and local functions called, decorating or handed as callbacks
   * from there); for a value that decides a branch, where that branch is.
   */
  importTime: boolean;
  /**
   * Rule id globs: a warn-or-block finding of one of them in the same file (after the allowlist)
   * raises this rule's finding to block before the allowlist applies to it.
   */
  escalateWith: string[] | undefined;
}

export interface CallMatch extends CodeMatchBase, EscalatingMatch {
  fact: "call";
  names: string[] | undefined;
  /** Any constant string argument. */
  args: string[] | undefined;
  /** The command run: the first argument as a string, or an argv list joined by spaces. */
  commands: string[] | undefined;
  /** Commands that are fine when they contain no shell metacharacter (`python setup.py …`). */
  safeCommands: string[] | undefined;
  /** `name` (present) or `name=value` (constant value, Python spelling: `shell=True`). */
  keywords: string[] | undefined;
  /** Calls whose results flow into this call (decoders feeding exec, downloads feeding exec). */
  inputs: string[] | undefined;
  /** Another call in the same function (or module level) matching one of these. */
  sameScope: string[] | undefined;
  /** true: only calls whose result decides a branch (compared, negated, tested by if/while/assert). */
  tested: boolean;
  /** A call made by a local function passed to it (atexit.register(f), Thread(target=f)). */
  callbacks: string[] | undefined;
}

export interface StringMatch extends CodeMatchBase, EscalatingMatch {
  fact: "string";
  values: string[];
  /** false: ignore bare string statements (docstrings). */
  docstrings: boolean;
  /** false: ignore strings containing whitespace (messages and prose rather than paths). */
  prose: boolean;
  /** true: only strings that are compared or tested in a condition (`"bwrap" in cmdline`). */
  tested: boolean;
}

/** A read of a dotted attribute (sys.flags.isolated), resolved through aliases and getattr. */
export interface AttributeMatch extends MatchBase, EscalatingMatch {
  fact: "attribute";
  scopes: SourceScope[] | undefined;
  names: string[];
  /** true: only reads that decide a branch. */
  tested: boolean;
}

export interface EnvMatch extends CodeMatchBase {
  fact: "env";
  vars: string[] | undefined;
  /** true: only uses of the whole environment (os.environ itself, copies, dumps). */
  whole: boolean;
}

export interface BlobMatch extends CodeMatchBase {
  fact: "blob";
  encodings: ("base64" | "hex")[] | undefined;
  minLength: number | undefined;
}

export interface CmdclassMatch extends MatchBase {
  fact: "cmdclass";
  scopes: SourceScope[] | undefined;
  commands: string[] | undefined;
  /** Any call made by the command's run() matching one of these. */
  runCalls: string[] | undefined;
}

export interface BinaryStringMatch extends MatchBase {
  fact: "binary-string";
  /** Text globs over printable strings in compiled files; `*` stays within one string. */
  strings: string[];
}

export interface BinaryLayoutMatch extends MatchBase {
  fact: "binary-layout";
  layouts: BinaryLayout[] | undefined;
}

export type StaticMatch =
  | ArchiveMatch
  | FileMatch
  | PthMatch
  | CallMatch
  | StringMatch
  | AttributeMatch
  | EnvMatch
  | BlobMatch
  | CmdclassMatch
  | BinaryStringMatch
  | BinaryLayoutMatch;

export type StaticFactKind = StaticMatch["fact"];
export const STATIC_FACT_KINDS: readonly StaticFactKind[] = [
  "archive", "file", "pth", "call", "string", "attribute", "env", "blob", "cmdclass", "binary-string", "binary-layout",
];

const CODE_KEYS = ["scopes", "used_by"] as const;
const ESCALATING_KEYS = ["import_time", "escalate_with"] as const;
export const STATIC_MATCH_KEYS: Record<StaticFactKind, readonly string[]> = {
  archive: ["problems"],
  file: ["paths", "archives"],
  pth: ["forms"],
  call: [...CODE_KEYS, "names", "args", "commands", "safe_commands", "keywords", "inputs", "same_scope", "tested", "callbacks", ...ESCALATING_KEYS],
  string: [...CODE_KEYS, "values", "docstrings", "prose", "tested", ...ESCALATING_KEYS],
  attribute: ["scopes", "names", "tested", ...ESCALATING_KEYS],
  env: [...CODE_KEYS, "vars", "whole"],
  blob: [...CODE_KEYS, "encodings", "min_length"],
  cmdclass: ["scopes", "commands", "run_calls"],
  "binary-string": ["strings"],
  "binary-layout": ["layouts"],
};

/** Fields whose globs run over text (any case) or archive paths; every other list is of names. */
const TEXT_FIELDS = ["args", "safe_commands", "values", "strings"];

function globField(kind: StaticFactKind, field: string): GlobField {
  if (field === "paths") return "path";
  return TEXT_FIELDS.includes(field) || (kind === "call" && field === "commands") ? "text" : "name";
}

/** A list of globs in the dialect of src/core/glob.ts, each checked. */
function readGlobs(ctx: FieldContext, raw: Raw, kind: StaticFactKind, field: string): string[] | undefined {
  const list = readStringList(ctx, raw, field);
  for (const glob of list ?? []) {
    const problem = globProblem(glob, globField(kind, field));
    if (problem) fail(ctx, `match.${field}`, `'${glob}' ${problem}`);
  }
  return list;
}

function required(ctx: FieldContext, raw: Raw, kind: StaticFactKind, field: string): string[] {
  const list = readGlobs(ctx, raw, kind, field);
  if (list === undefined) fail(ctx, `match.${field}`, "is required for this fact");
  return list;
}

/** Validates the `match` block of a static rule (see the types above for the meaning of each field). */
export function parseStaticCondition(ctx: FieldContext, raw: Raw): StaticMatch {
  const fact = raw.fact;
  if (typeof fact !== "string" || !(STATIC_FACT_KINDS as readonly string[]).includes(fact)) {
    fail(ctx, "match.fact", `must be one of ${STATIC_FACT_KINDS.join(", ")}`);
  }
  const kind = fact as StaticFactKind;
  rejectUnknownKeys(ctx, raw, ["fact", "lowering", ...STATIC_MATCH_KEYS[kind]], "match.");
  const lowering = readOptionalString(ctx, raw, "lowering") ?? "user";
  if (!(LOWERINGS as readonly string[]).includes(lowering)) fail(ctx, "match.lowering", `must be one of ${LOWERINGS.join(", ")}`);
  const base = { lowering: lowering as Lowering };
  const scopes = () => readEnumList(ctx, raw, "scopes", SOURCE_SCOPES);
  const usedBy = () => readGlobs(ctx, raw, kind, "used_by");
  const list = (field: string) => readGlobs(ctx, raw, kind, field);
  const tested = () => readBoolean(ctx, raw, "tested", false);
  const escalating = () => ({ importTime: readBoolean(ctx, raw, "import_time", false), escalateWith: list("escalate_with") });
  switch (kind) {
    case "archive":
      return { ...base, fact: kind, problems: readEnumList(ctx, raw, "problems", ARCHIVE_PROBLEMS) };
    case "file":
      return { ...base, fact: kind, paths: required(ctx, raw, kind, "paths"), archives: readEnumList(ctx, raw, "archives", ARCHIVE_KINDS) };
    case "pth":
      return { ...base, fact: kind, forms: readEnumList(ctx, raw, "forms", PTH_FORMS) };
    case "call":
      return {
        ...base, fact: kind, scopes: scopes(), usedBy: usedBy(), names: list("names"), args: list("args"),
        commands: list("commands"), safeCommands: list("safe_commands"), keywords: list("keywords"),
        inputs: list("inputs"), sameScope: list("same_scope"), tested: tested(), callbacks: list("callbacks"), ...escalating(),
      };
    case "string":
      return {
        ...base, fact: kind, scopes: scopes(), usedBy: usedBy(), values: required(ctx, raw, kind, "values"),
        docstrings: readBoolean(ctx, raw, "docstrings", true), prose: readBoolean(ctx, raw, "prose", true), tested: tested(),
        ...escalating(),
      };
    case "attribute":
      return { ...base, fact: kind, scopes: scopes(), names: required(ctx, raw, kind, "names"), tested: tested(), ...escalating() };
    case "env":
      return { ...base, fact: kind, scopes: scopes(), usedBy: usedBy(), vars: list("vars"), whole: readBoolean(ctx, raw, "whole", false) };
    case "blob": {
      const minLength = raw.min_length;
      if (minLength !== undefined && (typeof minLength !== "number" || !Number.isInteger(minLength) || minLength < 16)) {
        fail(ctx, "match.min_length", "must be an integer of at least 16");
      }
      return { ...base, fact: kind, scopes: scopes(), usedBy: usedBy(), encodings: readEnumList(ctx, raw, "encodings", BLOB_ENCODINGS), minLength };
    }
    case "cmdclass":
      return { ...base, fact: kind, scopes: scopes(), commands: list("commands"), runCalls: list("run_calls") };
    case "binary-string":
      return { ...base, fact: kind, strings: required(ctx, raw, kind, "strings") };
    case "binary-layout":
      return { ...base, fact: kind, layouts: readEnumList(ctx, raw, "layouts", BINARY_LAYOUTS) };
  }
}
