import type { BehaviouralFinding, Finding } from "../core/finding.ts";
import type { DynamicRule, RuleException } from "../rules/types.ts";
import type { Severity } from "../core/severity.ts";
import { EVENT_KINDS, type AttributedEvent, type EventKind, type ExecEvent, type FileEvent, type TraceEvent } from "../trace/events.ts";
import { PHASES, type Phase } from "../core/phase.ts";
import { parseAddressPattern } from "../core/cidr.ts";
import { AddressTable } from "./addresses.ts";
import { compileGlob, hasWildcard } from "../core/glob.ts";
import { basename, type PathRoots } from "../core/path-glob.ts";
import { PathTrie } from "./path-trie.ts";

export interface MatchContext {
  /** The decoy home directory that `~` stands for in path globs. */
  home: string;
  /** The directories `$WORK` and `$PYTHON` stand for; a glob on a root the run lacks matches nothing. */
  roots?: PathRoots;
}

export interface Matcher {
  /** Findings for one event after exceptions, blocking ones first; a shared empty array if none. */
  match(event: AttributedEvent): readonly Finding[];
  readonly ruleCount: number;
}

const SEVERITY_RANK: Record<Severity, number> = { block: 0, warn: 1, info: 2 };
const KIND_BIT = new Map<EventKind, number>(EVENT_KINDS.map((kind, i) => [kind, 1 << i]));
const PHASE_BIT = new Map<Phase, number>(PHASES.map((phase, i) => [phase, 1 << i]));
const ALL_PHASES = (1 << PHASES.length) - 1;
const NO_FINDINGS: readonly Finding[] = Object.freeze([]);

/** Path-matching event kinds; the rest carry no file path worth a trie walk. */
const PATH_KINDS = new Set<EventKind>(["open", "read", "write", "stat", "unlink", "rename", "mkdir", "chmod", "link", "readlink", "chdir", "exec"]);

/** Open flags that make an open a change to the file; the other kinds here always change something. */
const WRITE_FLAGS = new Set(["O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC", "O_APPEND"]);
const CHANGE_KINDS = new Set<EventKind>(["write", "rename", "link", "unlink", "chmod", "mkdir"]);

/** A rule that can only match events changing a file: it never needs a path lookup for a read or stat. */
function changesOnly(m: DynamicRule["match"]): boolean {
  return m.events.every((kind) => CHANGE_KINDS.has(kind) || (kind === "open" && m.flags !== undefined && m.flags.every((flag) => WRITE_FLAGS.has(flag))));
}

function changesFile(event: TraceEvent): boolean {
  if (event.kind === "open") return event.flags.some((flag) => WRITE_FLAGS.has(flag));
  return CHANGE_KINDS.has(event.kind);
}

/** Which index finds a rule's candidates; the remaining conditions are checked per candidate. */
const enum Primary {
  Paths,
  Programs,
  Addresses,
  Argv,
  Kind,
}

/** A list of name globs: literal names in a set, wildcard ones behind one combined regex. */
class NameSet {
  private readonly literals = new Set<string>();
  private readonly globs: RegExp[] = [];

  constructor(globs: readonly string[]) {
    for (const glob of globs) {
      if (hasWildcard(glob)) this.globs.push(compileGlob(glob, "name"));
      else this.literals.add(glob);
    }
  }

  has(name: string): boolean {
    if (this.literals.has(name)) return true;
    for (const regex of this.globs) if (regex.test(name)) return true;
    return false;
  }
}

interface CompiledException {
  phaseMask: number;
  paths: PathTrie | undefined;
  packages: NameSet | undefined;
  programs: NameSet | undefined;
  unattributed: boolean | undefined;
}

interface CompiledRule {
  rule: DynamicRule;
  rank: number;
  primary: Primary;
  kindMask: number;
  phaseMask: number;
  packageOnly: boolean;
  flags: Set<string> | undefined;
  families: Set<string> | undefined;
  ports: Set<number> | undefined;
  paths: PathTrie | undefined;
  notPaths: PathTrie | undefined;
  programs: NameSet | undefined;
  addresses: AddressTable | undefined;
  argv: RegExp[] | undefined;
  syscalls: NameSet | undefined;
  exceptions: CompiledException[];
}

function maskOf<T>(values: readonly T[] | undefined, bits: Map<T, number>, all: number): number {
  if (values === undefined) return all;
  let mask = 0;
  for (const value of values) mask |= bits.get(value) ?? 0;
  return mask;
}

function trieOf(globs: readonly string[] | undefined, ctx: MatchContext): PathTrie | undefined {
  if (globs === undefined) return undefined;
  const trie = new PathTrie(ctx.home, ctx.roots);
  for (const glob of globs) trie.add(glob, 0);
  return trie;
}

function tableOf(addresses: readonly string[] | undefined): AddressTable | undefined {
  if (addresses === undefined) return undefined;
  const table = new AddressTable();
  for (const text of addresses) {
    const pattern = parseAddressPattern(text);
    if (typeof pattern !== "string") table.add(pattern, 0);
  }
  return table;
}

function compileException(exception: RuleException, ctx: MatchContext): CompiledException {
  return {
    phaseMask: maskOf(exception.phases, PHASE_BIT, ALL_PHASES),
    paths: trieOf(exception.paths, ctx),
    packages: exception.packages ? new NameSet(exception.packages) : undefined,
    programs: exception.programs ? new NameSet(exception.programs) : undefined,
    unattributed: exception.unattributed,
  };
}

function compileRule(rule: DynamicRule, ctx: MatchContext): CompiledRule {
  const m = rule.match;
  const primary = m.paths ? Primary.Paths
    : m.programs ? Primary.Programs
    : m.addresses ? Primary.Addresses
    : m.argv ? Primary.Argv
    : Primary.Kind;
  return {
    rule,
    rank: SEVERITY_RANK[rule.severity],
    primary,
    kindMask: maskOf(m.events, KIND_BIT, 0),
    phaseMask: maskOf(m.phases, PHASE_BIT, ALL_PHASES),
    packageOnly: m.packageOnly,
    flags: m.flags ? new Set(m.flags) : undefined,
    families: m.families ? new Set(m.families) : undefined,
    ports: m.ports ? new Set(m.ports) : undefined,
    paths: trieOf(m.paths, ctx),
    notPaths: trieOf(m.notPaths, ctx),
    programs: m.programs ? new NameSet(m.programs) : undefined,
    addresses: tableOf(m.addresses),
    argv: m.argv?.map((glob) => compileGlob(glob, "argv")),
    syscalls: m.syscalls ? new NameSet(m.syscalls) : undefined,
    exceptions: rule.except.map((exception) => compileException(exception, ctx)),
  };
}

/** Where a candidate's path condition matched: the event's path, its rename/link target, or the path as requested. */
const ON_PATH = 1;
const ON_TARGET = 2;
const ON_REQUESTED = 4;

/**
 * Compiles every dynamic rule once into shared indexes: one path trie over all path globs, a map
 * from program basename to rules, CIDR prefix tables, per-kind lists for rules with no indexable
 * condition, and one combined regex guarding all argv globs. A single event looks up each index
 * once, so its cost does not grow with the number of rules; only the few candidates found are
 * checked against their remaining conditions and exceptions.
 */
export function compileRules(rules: readonly DynamicRule[], ctx: MatchContext): Matcher {
  const compiled = rules.map((rule) => compileRule(rule, ctx));
  const paths = new PathTrie(ctx.home, ctx.roots);
  // Most traced calls are reads and stats: rules about changes get a trie those never walk.
  const changePaths = new PathTrie(ctx.home, ctx.roots);
  const programLiterals = new Map<string, number[]>();
  const programGlobs: Array<{ regex: RegExp; index: number }> = [];
  const addresses = new AddressTable();
  const argvRules: number[] = [];
  const argvSources: string[] = [];
  const byKind = new Map<EventKind, number[]>();

  compiled.forEach((c, index) => {
    const m = c.rule.match;
    switch (c.primary) {
      case Primary.Paths:
        for (const glob of m.paths ?? []) (changesOnly(m) ? changePaths : paths).add(glob, index);
        break;
      case Primary.Programs:
        for (const glob of m.programs ?? []) {
          if (hasWildcard(glob)) programGlobs.push({ regex: compileGlob(glob, "name"), index });
          else {
            const list = programLiterals.get(glob) ?? [];
            if (!list.includes(index)) list.push(index);
            programLiterals.set(glob, list);
          }
        }
        break;
      case Primary.Addresses:
        for (const text of m.addresses ?? []) {
          const pattern = parseAddressPattern(text);
          if (typeof pattern !== "string") addresses.add(pattern, index);
        }
        break;
      case Primary.Argv:
        argvRules.push(index);
        for (const glob of m.argv ?? []) argvSources.push(compileGlob(glob, "argv").source);
        break;
      case Primary.Kind:
        for (const kind of m.events) {
          const list = byKind.get(kind) ?? [];
          list.push(index);
          byKind.set(kind, list);
        }
        break;
    }
  });
  const programGuard = programGlobs.length > 0 ? new RegExp(programGlobs.map((g) => g.regex.source).join("|")) : undefined;
  const argvGuard = argvSources.length > 0 ? new RegExp(argvSources.join("|")) : undefined;

  // Candidate collection without allocation: a stamp per rule dedupes, `where` remembers the path.
  const stamp = new Uint32Array(compiled.length);
  const where = new Uint8Array(compiled.length);
  const candidates = new Int32Array(compiled.length);
  let count = 0;
  let generation = 0;
  let side = ON_PATH;
  const add = (index: number): void => {
    if (stamp[index] !== generation) {
      stamp[index] = generation;
      where[index] = side;
      candidates[count++] = index;
    } else {
      where[index] = (where[index] ?? 0) | side;
    }
  };

  function collectPaths(trie: PathTrie, event: FileEvent | ExecEvent): void {
    side = ON_PATH;
    trie.match(event.path, add);
    if ("target" in event && event.target !== undefined) {
      side = ON_TARGET;
      trie.match(event.target, add);
    }
    if ("requested" in event && event.requested !== undefined) {
      side = ON_REQUESTED;
      trie.match(event.requested, add);
    }
  }

  function collect(event: TraceEvent): void {
    if (PATH_KINDS.has(event.kind) && "path" in event) {
      collectPaths(paths, event);
      if (changePaths.patternCount > 0 && changesFile(event)) collectPaths(changePaths, event);
    }
    side = ON_PATH;
    if (event.kind === "exec") {
      const names = [basename(event.path), basename(event.argv[0] ?? "")];
      for (const name of names) {
        programLiterals.get(name)?.forEach(add);
        if (programGuard?.test(name)) for (const g of programGlobs) if (g.regex.test(name)) add(g.index);
      }
      if (argvGuard) {
        const joined = event.argv.join(" ");
        if (argvGuard.test(joined)) for (const index of argvRules) add(index);
      }
    } else if (event.kind === "connect" || event.kind === "bind" || event.kind === "sendto") {
      addresses.match(event.family, event.address, add);
    }
    byKind.get(event.kind)?.forEach(add);
  }

  function match(ae: AttributedEvent): readonly Finding[] {
    const event = ae.event;
    generation = (generation + 1) >>> 0 || 1;
    count = 0;
    collect(event);
    if (count === 0) return NO_FINDINGS;
    let findings: Finding[] | undefined;
    for (let i = 0; i < count; i++) {
      const index = candidates[i] ?? 0;
      const c = compiled[index];
      if (c === undefined) continue;
      const subjectPath = accepted(c, ae, where[index] ?? ON_PATH);
      if (subjectPath === REJECTED) continue;
      (findings ??= []).push(toFinding(c, ae, subjectPath));
    }
    if (findings === undefined) return NO_FINDINGS;
    if (findings.length > 1) {
      findings.sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0));
    }
    return findings;
  }

  return { match, ruleCount: compiled.length };
}

/**
 * The sides of `sides` whose path lies outside `notPaths`: a rename from an allowed folder to a
 * path outside it still matches on its destination.
 */
function outside(notPaths: PathTrie, event: TraceEvent, sides: number): number {
  if (!("path" in event)) return sides;
  let left = sides;
  if ((left & ON_PATH) !== 0 && notPaths.matches(event.path)) left &= ~ON_PATH;
  if ((left & ON_TARGET) !== 0 && "target" in event && event.target !== undefined && notPaths.matches(event.target)) left &= ~ON_TARGET;
  if ((left & ON_REQUESTED) !== 0 && "requested" in event && event.requested !== undefined && notPaths.matches(event.requested)) left &= ~ON_REQUESTED;
  return left;
}

function pathSubject(event: TraceEvent, side: number): string | undefined {
  if (event.kind === "exec") return event.path;
  if (!("path" in event)) return event.kind === "connect" || event.kind === "bind" || event.kind === "sendto" ? event.address : undefined;
  if ((side & ON_PATH) !== 0) return event.path;
  if ((side & ON_TARGET) !== 0 && "target" in event && event.target !== undefined) return event.target;
  if ((side & ON_REQUESTED) !== 0 && "requested" in event && event.requested !== undefined) return event.requested;
  return event.path;
}

const REJECTED = Symbol("rejected");

/** The path (or address) the finding is about when every condition holds, else REJECTED. */
function accepted(c: CompiledRule, ae: AttributedEvent, where: number): string | undefined | typeof REJECTED {
  if (!accepts(c, ae)) return REJECTED;
  const sides = c.notPaths ? outside(c.notPaths, ae.event, where) : where;
  if (sides === 0) return REJECTED;
  const subjectPath = pathSubject(ae.event, sides);
  for (const exception of c.exceptions) if (excepted(exception, ae, subjectPath)) return REJECTED;
  return subjectPath;
}

function accepts(c: CompiledRule, ae: AttributedEvent): boolean {
  const event = ae.event;
  const attribution = ae.attribution;
  if ((c.kindMask & (KIND_BIT.get(event.kind) ?? 0)) === 0) return false;
  if ((c.phaseMask & (PHASE_BIT.get(attribution.phase) ?? 0)) === 0) return false;
  if (c.packageOnly && attribution.package === undefined) return false;
  if (c.syscalls && !c.syscalls.has(event.syscall)) return false;
  if (c.primary !== Primary.Paths && c.paths && !anyPathMatches(c.paths, event)) return false;
  // Open flags constrain open calls only; other kinds of a mixed rule (rename, link) pass.
  if (c.flags && event.kind === "open" && !event.flags.some((flag) => c.flags?.has(flag))) return false;
  if (event.kind === "connect" || event.kind === "bind" || event.kind === "sendto") {
    if (c.families && !c.families.has(event.family)) return false;
    if (c.ports && (event.port === undefined || !c.ports.has(event.port))) return false;
    if (c.primary !== Primary.Addresses && c.addresses && !hit(c.addresses, event.family, event.address)) return false;
  } else if (c.families || c.ports || c.addresses) {
    return false;
  }
  if (event.kind === "exec") {
    if (c.primary !== Primary.Programs && c.programs && !c.programs.has(basename(event.path)) && !c.programs.has(basename(event.argv[0] ?? ""))) return false;
    // The combined argv guard only says that some rule's glob matched: check this rule's own.
    if (c.argv) {
      const joined = event.argv.join(" ");
      if (!c.argv.some((regex) => regex.test(joined))) return false;
    }
  } else if (c.programs || c.argv) {
    return false;
  }
  return true;
}

function anyPathMatches(trie: PathTrie, event: TraceEvent): boolean {
  if (!("path" in event)) return false;
  if (trie.matches(event.path)) return true;
  if ("target" in event && event.target !== undefined && trie.matches(event.target)) return true;
  return "requested" in event && event.requested !== undefined && trie.matches(event.requested);
}

function hit(table: AddressTable, family: string, address: string): boolean {
  let found = false;
  table.match(family, address, () => {
    found = true;
  });
  return found;
}

function excepted(e: CompiledException, ae: AttributedEvent, subjectPath: string | undefined): boolean {
  const attribution = ae.attribution;
  if ((e.phaseMask & (PHASE_BIT.get(attribution.phase) ?? 0)) === 0) return false;
  if (e.unattributed !== undefined && e.unattributed !== (attribution.package === undefined)) return false;
  if (e.packages && (attribution.package === undefined || !e.packages.has(attribution.package))) return false;
  if (e.paths && (subjectPath === undefined || !e.paths.matches(subjectPath))) return false;
  if (e.programs) {
    const event = ae.event;
    const own = basename(attribution.argv[0] ?? "");
    if (!e.programs.has(own) && !(event.kind === "exec" && e.programs.has(basename(event.path)))) return false;
  }
  return true;
}

function subjectOf(ae: AttributedEvent, subjectPath: string | undefined): BehaviouralFinding["subject"] {
  const event = ae.event;
  switch (event.kind) {
    case "exec":
      return { kind: "execution", argv: event.argv.length > 0 ? event.argv : [event.path] };
    case "connect":
    case "bind":
    case "sendto":
      return { kind: "connection", address: event.address, port: event.port };
    case "spawn":
      return { kind: "process", argv: ae.attribution.argv, detail: `spawned process ${event.childPid}` };
    case "exit":
      return { kind: "process", argv: ae.attribution.argv, detail: `exited with ${event.status}` };
    case "denied":
      return { kind: "process", argv: ae.attribution.argv, detail: `called ${event.syscall}, which the sandbox denies` };
    default:
      return { kind: "access", path: subjectPath ?? event.path };
  }
}

function toFinding(c: CompiledRule, ae: AttributedEvent, subjectPath: string | undefined): BehaviouralFinding {
  const rule = c.rule;
  return {
    source: "behavioural",
    ruleId: rule.id,
    severity: rule.severity,
    description: rule.description,
    explanation: rule.explanation,
    package: ae.attribution.package,
    phase: ae.attribution.phase,
    subject: subjectOf(ae, subjectPath),
    syscall: ae.event.syscall,
    argv: ae.attribution.argv,
  };
}
