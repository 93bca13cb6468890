import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import type { Origin } from "../core/errors.ts";
import type { Finding } from "../core/finding.ts";
import { compileRules as compileDynamicRules, type Matcher } from "../match/matcher.ts";
import { scanArtifactsStatically } from "../static/index.ts";
import { StraceParser } from "../trace/parser.ts";
import { type Assignment, ProcessTree } from "../trace/process-tree.ts";
import { writeCaseArchive } from "./case-archive.ts";
import { type ArchiveCase, parseCaseFile, type RuleCase, type TraceCase } from "./cases.ts";
import { allRules, isCasesFile, loadRulePacks } from "../rules/loader.ts";
import type { DynamicRule, Rule, StaticRule } from "../rules/types.ts";

/**
 * Runs the cases beside rule packs through the real matchers: trace lines through the strace
 * parser, the process tree and the behavioural matcher; archives through the static scan with its
 * Python fact extractor. `pipcanary rules --test DIR` and the test suite both call this.
 */

/** The decoy home of trace cases (`~` in path globs). */
export const CASE_HOME = "/home/tester";
/** `$WORK` and `$PYTHON` of trace cases: the work dir and a pyenv interpreter in the home. */
export const CASE_ROOTS = { $WORK: ["/work"], $PYTHON: [`${CASE_HOME}/.pyenv/versions/3.11.7`] };
/** The process a trace case's lines start in: python3 importing the package. */
export const CASE_PID = 100;

export interface CaseOutcome {
  where: Origin;
  name: string;
  /** Why the case failed; empty when it passed. */
  failures: string[];
}

export interface CaseReport {
  outcomes: CaseOutcome[];
  /** Rules that lack a case that must fire or one that must not, and cases files that are missing. */
  gaps: { where: Origin; problem: string }[];
}

export interface CaseRunOptions {
  /** Interpreter for the static fact extractor. */
  python: string;
}

/** Every `<pack>.cases.yaml` beside the packs in `dir`, run against all rules of `dir`. */
export async function runRuleCases(dir: string, options: CaseRunOptions): Promise<CaseReport> {
  const packs = loadRulePacks([dir]);
  const rules = allRules(packs);
  const gaps: CaseReport["gaps"] = [];
  const packFiles = new Set(packs.map((pack) => pack.source));
  for (const name of readdirSync(dir).filter(isCasesFile).sort()) {
    const pack = join(dir, name.replace(/\.cases\.ya?ml$/, ".yaml"));
    if (!packFiles.has(pack) && !packFiles.has(pack.replace(/\.yaml$/, ".yml"))) gaps.push({ where: { file: join(dir, name), line: 1 }, problem: `no pack ${basename(pack)} beside it: its cases test nothing` });
  }
  const cases: RuleCase[] = [];
  for (const pack of packs) {
    const casesFile = pack.source.replace(/\.ya?ml$/, ".cases.yaml");
    if (!existsSync(casesFile)) {
      gaps.push({ where: { file: pack.source, line: 1 }, problem: `no cases file: add ${basename(casesFile)} with a case that must fire and one that must not for each rule` });
      continue;
    }
    const own = parseCaseFile(casesFile, readFileSync(casesFile, "utf8"));
    cases.push(...own);
    for (const rule of pack.rules) {
      if (!own.some((item) => item.ruleid.includes(rule.id))) gaps.push({ where: rule.source, problem: `rule ${rule.id} has no case that must fire (ruleid) in ${basename(casesFile)}` });
      if (!own.some((item) => item.ok.includes(rule.id))) gaps.push({ where: rule.source, problem: `rule ${rule.id} has no case that must not fire (ok) in ${basename(casesFile)}` });
    }
  }
  const known = new Map(rules.map((rule) => [rule.id, rule]));
  const traceCases = cases.filter((item): item is TraceCase => item.kind === "trace");
  const archiveCases = cases.filter((item): item is ArchiveCase => item.kind === "archive");
  const outcomes = new Map<RuleCase, CaseOutcome>();
  const dynamic = rules.filter((rule): rule is DynamicRule => rule.type === "dynamic");
  const matcher = compileDynamicRules(dynamic, { home: CASE_HOME, roots: CASE_ROOTS });
  for (const item of traceCases) {
    const { findings, unread } = traceFindings(item.trace, { phase: item.phase, package: item.package }, matcher);
    outcomes.set(item, judge(item, known, "dynamic", findings, unread));
  }
  const staticRules = rules.filter((rule): rule is StaticRule => rule.type === "static");
  for (const [item, findings] of await runArchives(archiveCases, staticRules, options)) outcomes.set(item, judge(item, known, "static", findings, []));
  return { outcomes: cases.map((item) => outcomes.get(item) as CaseOutcome), gaps };
}

/**
 * Findings for strace lines of process 100 (python3 importing the package, attributed per
 * `assignment`), through the parser, the process tree and `matcher`; also the lines the parser
 * could not read.
 */
export function traceFindings(trace: readonly string[], assignment: Assignment, matcher: Matcher): { findings: Finding[]; unread: string[] } {
  const parser = new StraceParser();
  const tree = new ProcessTree({ phase: assignment.phase });
  tree.assign(CASE_PID, assignment);
  const findings: Finding[] = [];
  const sink = (event: Parameters<Matcher["match"]>[0]): void => void findings.push(...matcher.match(event));
  const start = `${CASE_PID} execve("/usr/bin/python3", ["python3", "-c", "import ${assignment.package ?? "pip"}"], 0x1 /* 3 vars */) = 0`;
  const unread: string[] = [];
  for (const line of [start, ...trace]) {
    const problems = parser.stats.problems;
    const event = parser.parse(line);
    if (parser.stats.problems > problems) unread.push(line);
    if (event) tree.feed(event, sink);
  }
  tree.flush(sink);
  return { findings, unread };
}

async function runArchives(cases: readonly ArchiveCase[], rules: StaticRule[], options: CaseRunOptions): Promise<Map<ArchiveCase, Finding[]>> {
  const results = new Map<ArchiveCase, Finding[]>();
  if (cases.length === 0) return results;
  const dir = mkdtempSync(join(tmpdir(), "pipcanary-cases-"));
  try {
    const artifacts = cases.map((item, i) => writeCaseArchive(dir, item, i));
    const scanned = await scanArtifactsStatically(artifacts, { rules, allowlist: [], python: options.python, jobs: 1 });
    cases.forEach((item, i) => {
      results.set(item, scanned.artifacts.get(artifacts[i]?.sha256 ?? "")?.findings ?? []);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

function judge(item: RuleCase, known: ReadonlyMap<string, Rule>, type: Rule["type"], findings: readonly Finding[], unread: readonly string[]): CaseOutcome {
  const failures = unread.map((line) => `the parser could not read this trace line: ${line}`);
  const fired = (id: string) => findings.filter((finding) => finding.ruleId === id);
  const describe = () => {
    const all = [...new Set(findings.map((finding) => `${finding.ruleId} (${finding.severity})`))];
    return all.length === 0 ? "no finding" : all.join(", ");
  };
  for (const id of [...item.ruleid, ...item.ok]) {
    const rule = known.get(id);
    if (!rule) failures.push(`no rule ${id} in the packs being tested`);
    else if (rule.type !== type) failures.push(`rule ${id} is a ${rule.type} rule; ${type === "dynamic" ? "a trace" : "an archive"} case cannot test it`);
  }
  for (const id of item.ruleid.filter((id) => known.get(id)?.type === type)) {
    const hits = fired(id);
    const severity = item.kind === "archive" ? item.severity : undefined;
    if (hits.length === 0) failures.push(`expected ${id} to fire, got ${describe()}`);
    else if (severity && !hits.some((finding) => finding.severity === severity)) failures.push(`expected ${id} at ${severity}, got ${describe()}`);
  }
  for (const id of item.ok.filter((id) => known.get(id)?.type === type)) {
    if (fired(id).length > 0) failures.push(`expected ${id} not to fire, got ${describe()}`);
  }
  return { where: item.where, name: item.name, failures };
}

/** One line per failed case and gap (`file:line: …`), then the counts. */
export function renderCaseReport(report: CaseReport): string {
  const lines: string[] = [];
  for (const outcome of report.outcomes) {
    for (const failure of outcome.failures) lines.push(`${outcome.where.file}:${outcome.where.line}: case "${outcome.name}": ${failure}`);
  }
  for (const gap of report.gaps) lines.push(`${gap.where.file}:${gap.where.line}: ${gap.problem}`);
  const failed = report.outcomes.filter((outcome) => outcome.failures.length > 0).length;
  lines.push(`${report.outcomes.length - failed} cases passed, ${failed} failed${report.gaps.length > 0 ? `, ${report.gaps.length} missing` : ""}.`);
  return `${lines.join("\n")}\n`;
}

export function casesPassed(report: CaseReport): boolean {
  return report.gaps.length === 0 && report.outcomes.every((outcome) => outcome.failures.length === 0);
}
