import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Node, type YAMLMap } from "yaml";
import { InputError, type Origin } from "../core/errors.ts";
import { PHASES, type Phase } from "../core/phase.ts";
import { SEVERITIES, type Severity } from "../core/severity.ts";

/**
 * A pack's cases file (`<pack>.cases.yaml` beside `<pack>.yaml`): examples that must and must not
 * make a rule fire, in the spirit of semgrep's and GuardDog's rule tests. See rules/README.md.
 */

interface CaseBase {
  name: string;
  where: Origin;
  /** Rule ids that must fire. */
  ruleid: string[];
  /** Rule ids that must not fire. */
  ok: string[];
}

/** strace lines, as the sandbox would trace them, for behavioural rules. */
export interface TraceCase extends CaseBase {
  kind: "trace";
  phase: Phase;
  /** The package process 100 is attributed to; undefined for pip's own process. */
  package: string | undefined;
  trace: string[];
}

/** A small wheel or sdist for static rules. */
export interface ArchiveCase extends CaseBase {
  kind: "archive";
  archive: "wheel" | "sdist";
  /** Files of the archive by path (wheel: from the root of site-packages; sdist: inside its top folder). */
  files: Map<string, Uint8Array>;
  /** The whole archive as stored, for damaged or hostile archives that files cannot describe. */
  raw: { filename: string; bytes: Uint8Array } | undefined;
  /** The distribution's name. */
  package: string;
  /** The severity every `ruleid` finding must have, when the case pins it. */
  severity: Severity | undefined;
}

export type RuleCase = TraceCase | ArchiveCase;

const HINT = "fix the cases file (its format is in rules/README.md, section Cases)";

function caseFileError(where: Origin, problem: string): InputError {
  return new InputError(problem, where, HINT);
}

/** Default attribution of a trace case: process 100 belongs to this package, in the import phase. */
const CASE_PACKAGE = "evilpkg";

const CASE_KEYS = ["name", "ruleid", "ok", "phase", "package", "trace", "wheel", "sdist", "raw", "severity"];
const COMMENT = /#\s*(ruleid|ok):\s*([a-z0-9][a-z0-9._-]*)/g;

/** Reads a cases file; every problem names file and line. */
export function parseCaseFile(file: string, text: string): RuleCase[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, customTags: ["binary"] });
  const lineOf = (node: Node | null | undefined): number => (node?.range ? lines.linePos(node.range[0]).line : 1);
  if (doc.errors.length > 0) {
    const error = doc.errors[0];
    throw caseFileError({ file, line: error?.linePos?.[0].line ?? 1 }, error?.message.split("\n")[0] ?? "invalid YAML");
  }
  const root = doc.contents;
  const list = isMap(root) ? root.get("cases", true) : undefined;
  if (!isSeq(list)) throw caseFileError({ file, line: lineOf(root) }, "a cases file is a mapping with a list 'cases'");
  return list.items.map((item) => {
    const where = { file, line: lineOf(item as Node) };
    if (!isMap(item)) throw caseFileError(where, "a case is a mapping");
    return readCase(item, item.toJS(doc) as Record<string, unknown>, where, (node) => ({ file, line: lineOf(node) }));
  });
}

function readCase(map: YAMLMap, value: Record<string, unknown>, where: Origin, at: (node: Node | null | undefined) => Origin): RuleCase {
  const fail = (key: string, problem: string): never => {
    throw caseFileError(at((map.get(key, true) as Node | undefined) ?? map), `case field '${key}': ${problem}`);
  };
  for (const pair of map.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : "";
    if (!CASE_KEYS.includes(key)) throw caseFileError(at(pair.key as Node), `unknown case field '${key}' (known: ${CASE_KEYS.join(", ")})`);
  }
  const name = value.name;
  if (typeof name !== "string" || name === "") fail("name", "must be a non-empty string");
  const ids = (key: "ruleid" | "ok"): string[] => {
    const raw = value[key];
    if (raw === undefined) return [];
    const list = Array.isArray(raw) ? raw : [raw];
    if (!list.every((id): id is string => typeof id === "string" && id !== "")) fail(key, "must be a rule id or a list of them");
    return list as string[];
  };
  const base = { name: name as string, where, ruleid: ids("ruleid"), ok: ids("ok") };
  const kinds = ["trace", "wheel", "sdist", "raw"].filter((key) => value[key] !== undefined);
  if (kinds.length !== 1) fail("name", "needs exactly one of trace (behavioural rules), wheel, sdist or raw (static rules)");
  if (value.trace !== undefined) return readTraceCase(value, base, fail);
  return readArchiveCase(value, base, fail);
}

type Fail = (key: string, problem: string) => never;

function readTraceCase(value: Record<string, unknown>, base: Omit<TraceCase, "kind" | "phase" | "package" | "trace">, fail: Fail): TraceCase {
  const trace = value.trace;
  if (!Array.isArray(trace) || trace.length === 0 || !trace.every((line) => typeof line === "string")) fail("trace", "must be a list of strace lines");
  const phase = value.phase ?? "import";
  if (!(PHASES as readonly unknown[]).includes(phase)) fail("phase", `must be one of ${PHASES.join(", ")}`);
  const pkg = value.package === undefined ? CASE_PACKAGE : value.package;
  if (pkg !== null && (typeof pkg !== "string" || pkg === "")) fail("package", "must be a package name, or null for pip's own process");
  if (base.ruleid.length + base.ok.length === 0) fail("name", "names no rule: add ruleid (must fire) or ok (must not fire)");
  return { ...base, kind: "trace", phase: phase as Phase, package: pkg === null ? undefined : (pkg as string), trace: trace as string[] };
}

function readArchiveCase(value: Record<string, unknown>, base: Omit<ArchiveCase, "kind" | "archive" | "files" | "raw" | "severity" | "package">, fail: Fail): ArchiveCase {
  const pkg = value.package ?? CASE_PACKAGE;
  if (typeof pkg !== "string" || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(pkg)) fail("package", "must be a distribution name");
  const severity = value.severity;
  if (severity !== undefined && !(SEVERITIES as readonly unknown[]).includes(severity)) fail("severity", `must be one of ${SEVERITIES.join(", ")}`);
  const ruleid = [...base.ruleid];
  const ok = [...base.ok];
  const files = new Map<string, Uint8Array>();
  let raw: ArchiveCase["raw"];
  let archive: "wheel" | "sdist" = "wheel";
  if (value.raw !== undefined) {
    const spec = value.raw as Record<string, unknown> | null;
    const filename = spec?.filename;
    const bytes = spec?.bytes;
    if (typeof filename !== "string" || !(bytes instanceof Uint8Array)) fail("raw", "needs filename and bytes (a !!binary block)");
    raw = { filename: filename as string, bytes: bytes as Uint8Array };
    archive = (filename as string).endsWith(".whl") ? "wheel" : "sdist";
  } else {
    archive = value.wheel !== undefined ? "wheel" : "sdist";
    const spec = value[archive];
    if (typeof spec !== "object" || spec === null || Array.isArray(spec)) fail(archive, "must map file paths to their content");
    for (const [path, content] of Object.entries(spec as Record<string, unknown>)) {
      if (typeof content === "string") {
        files.set(path, new TextEncoder().encode(content));
        for (const [, kind, id] of content.matchAll(COMMENT)) (kind === "ruleid" ? ruleid : ok).push(id as string);
      } else if (content instanceof Uint8Array) {
        files.set(path, content);
      } else {
        fail(archive, `'${path}' must be text or a !!binary block`);
      }
    }
  }
  if (ruleid.length + ok.length === 0) fail("name", "names no rule: add '# ruleid: <id>' or '# ok: <id>' to a file, or ruleid/ok to the case");
  return { ...base, ruleid, ok, kind: "archive", archive, files, raw, package: pkg as string, severity: severity as Severity | undefined };
}
