import script from "./extract_facts.py" with { type: "text" };
import { errorMessage } from "../../core/errors.ts";
import type { FactInterest, FileFacts, ImportFact, SourceFact } from "./facts.ts";
import { regexFacts } from "./regex-fallback.ts";

/** One Python source to analyse; `id` is unique within a run. */
export interface SourceFile {
  id: string;
  path: string;
  bytes: Uint8Array;
}

export interface SpawnResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Runs argv with `stdin` as input. Injected by the sandbox stage to run the extractor in bwrap. */
export type SpawnFunction = (argv: string[], stdin: Uint8Array, timeoutMs: number) => Promise<SpawnResult>;

export interface ExtractorOptions {
  /** The host interpreter, e.g. "python3". */
  python: string;
  /** Command prefix the interpreter runs under, e.g. `["bwrap", "--unshare-all", …, "--"]`. */
  wrap?: string[];
  spawn?: SpawnFunction;
  interest: FactInterest;
  /** String constants at least this long are checked for base64/hex blobs. */
  blobMin?: number;
  timeoutMs?: number;
  /** Parallel interpreter processes; files are split between them by size. */
  jobs?: number;
}

export interface ExtractorRun {
  files: Map<string, FileFacts>;
  /**
   * What the extractor itself answered, by id: facts, or why the file does not parse. Files it
   * gave no answer for, or ran out of time on, are not here (their regex-fallback facts depend on
   * the run, not on the file).
   */
  answers: Map<string, ExtractorAnswer>;
  notes: string[];
}

export type ExtractorAnswer = { facts: SourceFact[]; imports: ImportFact[] } | { error: string };

/** How extract_facts.py words a file that used up its time: an answer about the run, not the file. */
const TIMEOUT_ERROR_PREFIX = "analysis took longer than";

/** The facts a stored answer stands for (a file that does not parse gets the regex pass). */
export function factsOfAnswer(answer: ExtractorAnswer, bytes: Uint8Array): FileFacts {
  return "error" in answer ? regexFacts(bytes, answer.error) : { parse: "ast", error: undefined, facts: answer.facts, imports: answer.imports };
}

const DEFAULT_TIMEOUT_MS = 10 * 60_000;

/** The argv that runs the embedded extractor: isolated mode, no site (.pth files never run), no bytecode. */
export function extractorArgv(python: string, wrap: readonly string[] = []): string[] {
  return [...wrap, python, "-I", "-S", "-B", "-c", script];
}

export const defaultSpawn: SpawnFunction = async (argv, stdin, timeoutMs) => {
  const child = Bun.spawn(argv, {
    stdin,
    stdout: "pipe",
    stderr: "pipe",
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LC_ALL: "C.UTF-8" },
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, timeoutMs);
  try {
    const [stdout, stderr, exitCode] = await Promise.all([
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
      child.exited,
    ]);
    return { exitCode, stdout, stderr, timedOut };
  } finally {
    clearTimeout(timer);
  }
};

/**
 * Extracts facts from Python sources with the host interpreter's `ast` module, in as few
 * processes as `jobs` allows. Files that do not parse, and every file of a batch whose
 * interpreter failed, get the regex fallback instead; the notes say so.
 */
export async function runFactExtractor(files: readonly SourceFile[], options: ExtractorOptions): Promise<ExtractorRun> {
  const result: ExtractorRun = { files: new Map(), answers: new Map(), notes: [] };
  if (files.length === 0) return result;
  const batches = splitBySize(files, Math.max(1, options.jobs ?? 1));
  await Promise.all(batches.map((batch) => runBatch(batch, options, result)));
  for (const file of files) {
    const facts = result.files.get(file.id);
    if (facts === undefined) result.files.set(file.id, regexFacts(file.bytes, "no result from the fact extractor"));
  }
  return result;
}

async function runBatch(batch: readonly SourceFile[], options: ExtractorOptions, result: ExtractorRun): Promise<void> {
  const request = JSON.stringify({
    files: batch.map((file) => ({ id: file.id, path: file.path, source: Buffer.from(file.bytes).toString("latin1") })),
    interest: options.interest,
    blob_min: options.blobMin ?? 1024,
  });
  const spawn = options.spawn ?? defaultSpawn;
  const argv = extractorArgv(options.python, options.wrap);
  let outcome: SpawnResult;
  try {
    outcome = await spawn(argv, new TextEncoder().encode(request), options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  } catch (error) {
    outcome = { exitCode: null, stdout: "", stderr: errorMessage(error), timedOut: false };
  }
  const byId = new Map(batch.map((file) => [file.id, file]));
  for (const line of outcome.stdout.split("\n")) {
    if (line.trim() === "") continue;
    const parsed = parseResultLine(line);
    const file = parsed ? byId.get(parsed.id) : undefined;
    if (!parsed || !file) continue;
    result.files.set(parsed.id, parsed.error === undefined ? parsed.facts : regexFacts(file.bytes, parsed.error));
    if (parsed.error === undefined) result.answers.set(parsed.id, { facts: parsed.facts.facts, imports: parsed.facts.imports });
    else if (!parsed.error.startsWith(TIMEOUT_ERROR_PREFIX)) result.answers.set(parsed.id, { error: parsed.error });
  }
  if (outcome.exitCode !== 0) {
    const why = outcome.timedOut ? "timed out" : `exited with ${outcome.exitCode ?? "a signal"}`;
    const detail = outcome.stderr.trim().split("\n").slice(-1)[0] ?? "";
    result.notes.push(`python fact extractor ${why}${detail ? `: ${detail}` : ""}; files without facts were scanned with the regex fallback`);
  }
}

interface ResultLine {
  id: string;
  facts: FileFacts;
  error: string | undefined;
}

function parseResultLine(line: string): ResultLine | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof raw !== "object" || raw === null) return undefined;
  const record = raw as Record<string, unknown>;
  if (typeof record.id !== "string") return undefined;
  if (record.parse === "error") return { id: record.id, facts: emptyFacts(), error: typeof record.error === "string" ? record.error : "does not parse" };
  if (record.parse !== "ast" || !Array.isArray(record.facts) || !Array.isArray(record.imports)) return undefined;
  // Written by our own extract_facts.py; the arrays hold the shapes declared in facts.ts.
  const facts: FileFacts = { parse: "ast", error: undefined, facts: record.facts as SourceFact[], imports: record.imports as ImportFact[] };
  return { id: record.id, facts, error: undefined };
}

function emptyFacts(): FileFacts {
  return { parse: "ast", error: undefined, facts: [], imports: [] };
}

function splitBySize<T extends { bytes: Uint8Array }>(items: readonly T[], jobs: number): T[][] {
  const batches: { size: number; items: T[] }[] = Array.from({ length: Math.min(jobs, items.length) }, () => ({ size: 0, items: [] }));
  const sorted = [...items].sort((a, b) => b.bytes.length - a.bytes.length);
  for (const item of sorted) {
    const smallest = batches.reduce((min, batch) => (batch.size < min.size ? batch : min));
    smallest.items.push(item);
    smallest.size += item.bytes.length;
  }
  return batches.map((batch) => batch.items);
}
