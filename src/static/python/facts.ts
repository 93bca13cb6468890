/**
 * Facts about Python sources, as written by extract_facts.py (and by the regex fallback for files
 * that do not parse). Field names are short because a large wheel yields hundreds of thousands.
 * An XOR decoder (bytes/bytearray/str.join over a comprehension or map() that XORs each item) has
 * the pseudo call name `<xor>` among its names, so that rules can name it in `inputs`.
 */
interface SourceFactBase {
  line: number;
  /** Id of the enclosing function scope within the file (0 = module level). */
  fn: number;
  /** The source line, stripped and shortened. */
  snip: string;
  /** True when the fact comes from code held in a string and passed to exec/eval/compile. */
  nested?: boolean;
}

export interface CallFact extends SourceFactBase {
  k: "call";
  /** Resolved dotted names the callee may be (aliases, getattr, __import__ resolved). */
  names: string[];
  /** Constant string arguments (elements of list/tuple arguments included). */
  args: string[];
  /** Keyword arguments: constants as Python repr (`True`), strings as-is, others `{}`. */
  kw: Record<string, string>;
  /** Names of calls whose results flow into this call's arguments or receiver. */
  inputs: string[];
  /** Names of calls that consume this call's result. */
  used_by: string[];
  /** The command it runs, when the first argument is a string or an argv list. */
  cmd?: string;
  /** Its result decides a branch (compared, negated, tested by if/while/assert, also via a variable or return). */
  test?: boolean;
  /** It (or the branch its result decides) runs while the module is imported; see import_time in static-schema.ts. */
  imp?: boolean;
  /** Calls made by local functions passed to it (atexit.register(f), Thread(target=f)), transitively. */
  cb?: string[];
}

export interface StringFact extends SourceFactBase {
  k: "str";
  value: string;
  used_by: string[];
  /** A bare string statement (docstring or comment-like string). */
  doc?: boolean;
  /** Built from parts (path joins, f-strings) or decoded from an encoded constant. */
  derived?: boolean;
  /** Compared or tested in a condition (see CallFact.test). */
  test?: boolean;
  imp?: boolean;
}

/** A read of an attribute some rule names (sys.flags.isolated), through aliases and getattr. */
export interface AttributeFact extends SourceFactBase {
  k: "attr";
  names: string[];
  test?: boolean;
  imp?: boolean;
}

export interface EnvFact extends SourceFactBase {
  k: "env";
  /** The variable read; null when the whole environment is used. `{}` when not constant. */
  var: string | null;
  how: string;
  used_by: string[];
}

export interface BlobFact extends SourceFactBase {
  k: "blob";
  length: number;
  enc: "base64" | "hex";
  used_by: string[];
}

export interface CmdclassFact {
  k: "cmdclass";
  line: number;
  snip: string;
  command: string;
  cls: string;
  /** Resolved names of calls made by the command's run() (and self.* methods it calls). */
  run_calls: string[];
  defined: boolean;
  nested?: boolean;
  fn?: number;
}

/** Another file this one executes (exec(open(p).read()), runpy.run_path(p), …). */
export interface ExecFileFact extends SourceFactBase {
  k: "execfile";
  path: string;
}

export type SourceFact = CallFact | StringFact | AttributeFact | EnvFact | BlobFact | CmdclassFact | ExecFileFact;

export interface ImportFact {
  module: string;
  /** Relative import level (number of leading dots). */
  level: number;
  names: string[];
}

export interface FileFacts {
  parse: "ast" | "regex-fallback";
  /** Why the file did not parse, when it fell back to the regex pass. */
  error: string | undefined;
  facts: SourceFact[];
  imports: ImportFact[];
}

/** What the extractor should report: everything else is dropped inside Python to keep output small. */
export interface FactInterest {
  /** Regex sources (see glob.ts) for call names worth reporting. */
  calls: string[];
  /** Lower-case substrings; a string constant is reported when it contains one (null: report all). */
  strings: string[] | null;
  /** Regex sources for dotted attribute names worth reporting as `attr` facts. */
  attributes: string[];
  /** Regex sources for the last segment of those names: a cheap filter before resolving a name. */
  attributeLeaves: string[];
}
