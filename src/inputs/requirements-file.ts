/**
 * requirements.txt as pip reads it (pip/_internal/req/req_file.py): continuation lines, comments,
 * `${VAR}` expansion, option lines, per-requirement `--hash`, and `-r`/`-c` includes resolved
 * relative to the including file.
 */
import { existsSync, realpathSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { InputError, type Origin, formatOrigin } from "../core/errors.ts";
import { normalizeName } from "../core/names.ts";
import { displayPath, readInputFile } from "./input-file.ts";
import { checkDirectReference, parseRequirement } from "./requirement.ts";
import { shlexSplit } from "./shlex.ts";
import type { IndexOptions, Requirement } from "../core/requirements.ts";

export interface RequirementsReadState {
  cwd: string;
  requirements: Requirement[];
  index: IndexOptions;
  /** Set by a `--require-hashes` line. */
  requireHashes: boolean;
  /** Files being read, outermost first: including one of them again is a cycle. */
  stack: Array<{ real: string; shown: string }>;
  /** Files already read completely, per role: reading one again would only repeat its lines. */
  done: Set<string>;
}

export function createReadState(cwd: string): RequirementsReadState {
  return {
    cwd,
    requirements: [],
    index: { indexUrl: undefined, extraIndexUrls: [], findLinks: [], pre: false, onlyBinary: [] },
    requireHashes: false,
    stack: [],
    done: new Set(),
  };
}

interface LogicalLine {
  line: number;
  text: string;
}

const LINE_BREAK = /\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]/;
const COMMENT_LINE = /^(?:\s+)?#/;
const COMMENT = /(?:^|\s+)#.*$/;
const ENV_VAR = /\$\{([A-Z0-9_]+)\}/g;

/** Joins `\` continuations (numbered by their first line), drops comments, expands `${VAR}`. */
export function logicalLines(text: string, env: NodeJS.ProcessEnv = process.env): LogicalLine[] {
  const joined: LogicalLine[] = [];
  let parts: string[] = [];
  let first = 0;
  text.split(LINE_BREAK).forEach((raw, index) => {
    const number = index + 1;
    if (!raw.endsWith("\\") || COMMENT_LINE.test(raw)) {
      const line = COMMENT_LINE.test(raw) ? ` ${raw}` : raw;
      if (parts.length > 0) {
        joined.push({ line: first, text: parts.join("") + line });
        parts = [];
      } else {
        joined.push({ line: number, text: line });
      }
      return;
    }
    if (parts.length === 0) first = number;
    parts.push(raw.replace(/^\\+|\\+$/g, ""));
  });
  if (parts.length > 0) joined.push({ line: first, text: parts.join("") });
  return joined
    .map(({ line, text: content }) => ({
      line,
      text: content.replace(COMMENT, "").trim().replace(ENV_VAR, (whole, name: string) => env[name] ?? whole),
    }))
    .filter((entry) => entry.text !== "");
}

/** pip's break_args_options: the requirement is everything before the first word starting with '-'. */
function splitRequirementAndOptions(text: string): { requirement: string; options: string } {
  const words = text.split(" ");
  const firstOption = words.findIndex((word) => word.startsWith("-"));
  if (firstOption < 0) return { requirement: text, options: "" };
  return { requirement: words.slice(0, firstOption).join(" ").trim(), options: words.slice(firstOption).join(" ") };
}

type OptionKey =
  | "requirement"
  | "constraint"
  | "editable"
  | "index-url"
  | "extra-index-url"
  | "find-links"
  | "no-index"
  | "pre"
  | "only-binary"
  | "prefer-binary"
  | "require-hashes"
  | "hash";

interface LineOptionSpec {
  key: OptionKey | "unsupported";
  names: string[];
  takesValue: boolean;
  /** For pip options pipcanary refuses: why. */
  refusal?: string;
}

const LINE_OPTIONS: LineOptionSpec[] = [
  { key: "requirement", names: ["-r", "--requirement"], takesValue: true },
  { key: "constraint", names: ["-c", "--constraint"], takesValue: true },
  { key: "editable", names: ["-e", "--editable"], takesValue: true },
  { key: "index-url", names: ["-i", "--index-url"], takesValue: true },
  { key: "extra-index-url", names: ["--extra-index-url"], takesValue: true },
  { key: "find-links", names: ["-f", "--find-links"], takesValue: true },
  { key: "no-index", names: ["--no-index"], takesValue: false },
  { key: "pre", names: ["--pre"], takesValue: false },
  { key: "only-binary", names: ["--only-binary"], takesValue: true },
  { key: "prefer-binary", names: ["--prefer-binary"], takesValue: false },
  { key: "require-hashes", names: ["--require-hashes"], takesValue: false },
  { key: "hash", names: ["--hash"], takesValue: true },
  { key: "unsupported", names: ["--no-binary"], takesValue: true, refusal: "building from source is decided by --only-binary in pipcanary" },
  { key: "unsupported", names: ["--trusted-host"], takesValue: true, refusal: "pipcanary verifies TLS for every index; use an https index" },
  { key: "unsupported", names: ["--use-feature"], takesValue: true, refusal: "pip feature flags are not passed on" },
  { key: "unsupported", names: ["--global-option", "--config-settings"], takesValue: true, refusal: "build options are not passed on to builds in the sandbox" },
];

interface LineOption {
  key: OptionKey;
  name: string;
  value: string;
}

function parseLineOptions(text: string, origin: Origin): LineOption[] {
  const words = shlexSplit(text);
  if (!words) throw new InputError(`unclosed quote in '${text}'`, origin);
  const options: LineOption[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? "";
    if (!word.startsWith("-")) {
      throw new InputError(`unexpected '${word}' after an option; put each requirement on its own line before its options`, origin);
    }
    const long = word.startsWith("--");
    const equals = word.indexOf("=");
    const name = long ? (equals >= 0 ? word.slice(0, equals) : word) : word.slice(0, 2);
    const attached = long ? (equals >= 0 ? word.slice(equals + 1) : undefined) : word.length > 2 ? word.slice(2) : undefined;
    const spec = LINE_OPTIONS.find((candidate) => candidate.names.includes(name));
    if (!spec) throw new InputError(`unknown option '${name}'`, origin, "see `pip help install` for the options a requirements file may contain");
    if (spec.key === "unsupported") throw new InputError(`pip option '${name}' is not supported: ${spec.refusal}`, origin);
    let value = "";
    if (spec.takesValue) {
      const next = attached ?? words[++i];
      if (next === undefined || next === "") throw new InputError(`option '${name}' needs a value`, origin);
      value = next;
    } else if (attached !== undefined) {
      throw new InputError(`option '${name}' takes no value`, origin);
    }
    options.push({ key: spec.key, name, value });
  }
  return options;
}

/** Reads one requirements file (and what it includes) into `state`. */
export function readRequirementsFile(
  absolutePath: string,
  state: RequirementsReadState,
  role: { constraint: boolean; referencedFrom?: Origin } = { constraint: false },
): void {
  const shown = displayPath(absolutePath, state.cwd);
  const text = readInputFile(absolutePath, shown, role.referencedFrom);
  const real = realpathSync(absolutePath);
  const onStack = state.stack.findIndex((entry) => entry.real === real);
  if (onStack >= 0) {
    const chain = [...state.stack.slice(onStack).map((entry) => entry.shown), shown].join(" -> ");
    throw new InputError(`include cycle: ${chain}`, role.referencedFrom, "remove one of the -r/-c lines that form the cycle");
  }
  const doneKey = `${role.constraint ? "c" : "r"}:${real}`;
  if (state.done.has(doneKey)) return;
  state.stack.push({ real, shown });
  for (const line of logicalLines(text)) {
    const origin: Origin = { file: shown, line: line.line };
    const { requirement, options } = splitRequirementAndOptions(line.text);
    if (requirement !== "") {
      state.requirements.push(requirementFromLine(requirement, options, origin, role.constraint));
    } else {
      applyOptionLine(parseLineOptions(options, origin), origin, absolutePath, state);
    }
  }
  state.stack.pop();
  state.done.add(doneKey);
}

function applyOptionLine(options: LineOption[], origin: Origin, file: string, state: RequirementsReadState): void {
  const index = state.index;
  for (const option of options) {
    switch (option.key) {
      case "requirement":
      case "constraint": {
        if (/^[a-z][a-z0-9+.-]*:\/\//i.test(option.value)) {
          throw new InputError(`remote include '${option.value}' is not supported`, origin, "download the file and include the local copy");
        }
        const target = isAbsolute(option.value) ? option.value : resolve(dirname(file), option.value);
        readRequirementsFile(target, state, { constraint: option.key === "constraint", referencedFrom: origin });
        break;
      }
      case "editable":
        throw new InputError(
          `editable requirement '${option.value}' is not supported: it installs a local source tree, which pipcanary cannot fetch and scan as a released artifact`,
          origin,
          "depend on a released version instead, or scan the project's own dependencies with -p pyproject.toml",
        );
      case "index-url":
        index.indexUrl = checkIndexUrl(option, origin);
        break;
      case "extra-index-url":
        pushUnique(index.extraIndexUrls, checkIndexUrl(option, origin));
        break;
      case "find-links": {
        // As pip does: a relative find-links path is taken relative to the requirements file if it exists there.
        const besideFile = resolve(dirname(file), option.value);
        pushUnique(index.findLinks, !/^[a-z][a-z0-9+.-]*:/i.test(option.value) && existsSync(besideFile) ? besideFile : option.value);
        break;
      }
      case "no-index":
        index.noIndex = true;
        break;
      case "pre":
        index.pre = true;
        break;
      case "only-binary":
        index.onlyBinary = applyOnlyBinary(index.onlyBinary, option.value);
        break;
      case "prefer-binary":
        index.preferBinary = true;
        break;
      case "require-hashes":
        state.requireHashes = true;
        break;
      case "hash":
        throw new InputError("--hash must follow a requirement on the same line", origin, "write: name==1.0 --hash=sha256:<hex>");
    }
  }
}

/** pip's --only-binary values: comma-separated names, `:all:` and `:none:` (which reset the list). */
export function applyOnlyBinary(current: string[], value: string): string[] {
  let result = [...current];
  for (const entry of value.split(",").map((part) => part.trim()).filter(Boolean)) {
    if (entry === ":all:") result = [":all:"];
    else if (entry === ":none:") result = [];
    else if (!result.includes(normalizeName(entry))) result.push(normalizeName(entry));
  }
  return result;
}

function checkIndexUrl(option: LineOption, origin: Origin): string {
  let url: URL;
  try {
    url = new URL(option.value);
  } catch {
    throw new InputError(`${option.name} '${option.value}' is not a URL`, origin);
  }
  if (!["http:", "https:", "file:"].includes(url.protocol)) {
    throw new InputError(`${option.name} '${option.value}' must be an http(s) or file URL`, origin);
  }
  return option.value;
}

export function pushUnique(list: string[], value: string): void {
  if (!list.includes(value)) list.push(value);
}

const HASH_LENGTHS: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

function parseHash(value: string, origin: Origin): string {
  const match = /^([a-z0-9]+):([0-9a-fA-F]+)$/.exec(value);
  const algorithm = match?.[1] ?? "";
  const length = HASH_LENGTHS[algorithm];
  if (!match || length === undefined) {
    throw new InputError(`invalid --hash '${value}': expected sha256:<hex>, sha384:<hex> or sha512:<hex>`, origin);
  }
  const hex = match[2] ?? "";
  if (hex.length !== length) throw new InputError(`invalid --hash '${value}': a ${algorithm} digest has ${length} hex digits, not ${hex.length}`, origin);
  return `${algorithm}:${hex.toLowerCase()}`;
}

const URL_SCHEME = /^(?:https?|file|ftp|(?:git|hg|svn|bzr)(?:\+[a-z]+)?):/i;
const ARCHIVE = /\.(?:whl|tar\.gz|tgz|tar\.bz2|tbz|tar\.xz|txz|tar|zip)$/i;

function requirementFromLine(text: string, optionText: string, origin: Origin, constraint: boolean): Requirement {
  const hashes: string[] = [];
  for (const option of optionText ? parseLineOptions(optionText, origin) : []) {
    if (option.key !== "hash") throw new InputError(`option '${option.name}' cannot follow a requirement; put it on a line of its own`, origin);
    hashes.push(parseHash(option.value, origin));
  }
  const requirement = parseRequirement(URL_SCHEME.test(text) ? namedUrlRequirement(text, origin) : checkNotPath(text, origin), origin, { hashes, constraint });
  if (constraint && requirement.extras.length > 0) throw new InputError(`constraint '${text}' has extras, which pip does not allow in constraints`, origin);
  if (constraint && requirement.url !== undefined) throw new InputError(`constraint '${text}' is a link, which pip does not allow in constraints`, origin);
  return requirement;
}

function checkNotPath(text: string, origin: Origin): string {
  const name = text.split(";")[0]?.trim() ?? "";
  const looksLikePath = /^[.~/]/.test(name) || (!name.includes("@") && (name.includes("/") || ARCHIVE.test(name)));
  if (looksLikePath) {
    throw new InputError(`local path requirement '${name}' is not supported: pipcanary only scans distributions fetched from an index or an https URL`, origin, "publish the package to an index, or refer to it as name @ https://…");
  }
  return text;
}

/** A bare URL line: pip takes the name from `#egg=` or the wheel file name. */
function namedUrlRequirement(text: string, origin: Origin): string {
  const markerAt = text.indexOf("; ");
  const url = (markerAt >= 0 ? text.slice(0, markerAt) : text).trim();
  const marker = markerAt >= 0 ? text.slice(markerAt + 2).trim() : "";
  checkDirectReference(url, origin);
  const parsed = new URL(url);
  const egg = /(?:^|&)egg=([^&]+)/.exec(parsed.hash.slice(1))?.[1];
  const file = decodeURIComponent(parsed.pathname.split("/").pop() ?? "");
  const name = egg ?? (file.endsWith(".whl") ? file.split("-")[0] : undefined);
  if (!name) {
    throw new InputError(`cannot tell the project name of '${url}'`, origin, `write it as: <name> @ ${url}`);
  }
  return `${name} @ ${url}${marker ? ` ; ${marker}` : ""}`;
}

/**
 * pip switches to hash-checking mode when `--require-hashes` is given or any requirement has a
 * hash; then every requirement needs hashes and an exact pin. Checked here so the message names
 * the line instead of pip failing later inside the sandbox.
 */
export function checkHashMode(requirements: readonly Requirement[], requireHashes: boolean): void {
  const candidates = requirements.filter((requirement) => !requirement.constraint);
  const hashed = candidates.find((requirement) => requirement.hashes.length > 0);
  if (!requireHashes && !hashed) return;
  const why = hashed && !requireHashes ? `${formatOrigin(hashed.origin)} has a --hash` : "--require-hashes is set";
  for (const requirement of candidates) {
    if (requirement.hashes.length === 0) {
      throw new InputError(`'${requirement.name}' has no --hash, but hashes are required for every requirement because ${why}`, requirement.origin, "add --hash=sha256:<hex> for each file of the pinned version, or remove all hashes");
    }
    if (requirement.url === undefined && !/^(?:==[^,*]+|===[^,]+)$/.test(requirement.specifier)) {
      throw new InputError(`'${requirement.name}${requirement.specifier}' is not pinned with ==, which hash-checking mode requires because ${why}`, requirement.origin);
    }
  }
}
