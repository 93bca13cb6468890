import { availableParallelism } from "node:os";
import type { Artifact } from "../core/artifact.ts";
import type { StaticFinding } from "../core/finding.ts";
import type { BinaryLayout } from "../rules/static-schema.ts";
import { type StaticRule } from "../rules/types.ts";
import { SEVERITIES, type Severity } from "../core/severity.ts";
import type { Phase } from "../core/phase.ts";
import { openArchive } from "./archive/open.ts";
import type { ArchiveProblem } from "../core/archive-problem.ts";
import { type ArchiveLimits, DEFAULT_LIMITS } from "./archive/types.ts";
import { extractorVersion, fileDigest, StaticFactsCache } from "./facts-cache.ts";
import { findingsFromHits } from "./findings.ts";
import { DEFAULT_READ_LIMITS, type Inventory, type ReadLimits, takeInventory } from "./inventory.ts";
import { type CompiledRules, compileRules, type MatchInput, matchFacts, type ScopedSource } from "./match.ts";
import { makeAllowlistPolicy } from "./policy.ts";
import { type ExtractorAnswer, factsOfAnswer, type SpawnFunction, runFactExtractor, type SourceFile } from "./python/extractor.ts";
import type { FileFacts } from "./python/facts.ts";
import { assignScopes } from "./scopes.ts";

export { lookalikeOf, type TypoTarget } from "./package-names.ts";
export { staticFactsCacheDir } from "./facts-cache.ts";

/** String constants at least this long are checked for base64/hex blobs (part of the extractor's version). */
const BLOB_MIN = 1024;

export interface StaticScanOptions {
  rules: StaticRule[];
  /** User allowlist (`--allowlist NAME`); the built-in credential allowlist always applies. */
  allowlist: string[];
  /** Host interpreter for the fact extractor. */
  python: string;
  /** Command prefix for the extractor (the sandbox stage passes a no-network bwrap here). */
  wrap?: string[];
  spawn?: SpawnFunction;
  /** Parallel extractor processes (default: one per core). */
  jobs?: number;
  /** The on-disk facts cache (under pipcanary's cache dir); warnings go to `warn`. None: analyse everything. */
  factsCache?: { dir: string; warn: (message: string) => void };
  limits?: ArchiveLimits;
  readLimits?: ReadLimits;
  /** Results of earlier calls in the same run, by sha256; updated in place. */
  cache?: Map<string, ArtifactStaticResult>;
  /** Told as each archive's reading starts and ends (`index` of `total`), for progress displays. */
  onArchive?: (state: "start" | "end", archive: { artifact: Artifact; index: number; total: number }) => void;
}

export interface ArtifactStats {
  entries: number;
  sourceFiles: number;
  sourceBytes: number;
  binaries: number;
  regexFallback: number;
  bytesRead: number;
}

export interface ArtifactStaticResult {
  sha256: string;
  name: string;
  version: string;
  filename: string;
  findings: StaticFinding[];
  notes: string[];
  stats: ArtifactStats;
}

export interface StaticResult {
  /** Per artifact, by sha256: the same file is analysed once per run. */
  artifacts: Map<string, ArtifactStaticResult>;
  findings: StaticFinding[];
  notes: string[];
  /** Highest severity found, undefined when there is no finding. */
  worst: Severity | undefined;
}

interface Pending {
  artifact: Artifact;
  inventory: Inventory;
  /** sha256 of each source file, in inventory order. */
  digests: string[];
  /** How many answers the archive's own facts pack held (0: none). */
  packed: number;
}

/**
 * Inspects every downloaded archive before any of its code runs: archive safety, Python source
 * facts, .pth lines and compiled files, matched against the static rules, with allowlist policy
 * applied. Facts come from the facts cache where a file was analysed before; the rest go to the
 * extractor, one sandboxed process per core, largest files first. Results and findings follow the
 * order of `artifacts`, whatever order the work finished in.
 */
export async function scanArtifactsStatically(artifacts: readonly Artifact[], options: StaticScanOptions): Promise<StaticResult> {
  const cache = options.cache ?? new Map<string, ArtifactStaticResult>();
  const compiled = compileRules(options.rules);
  const factsCache = options.factsCache
    ? new StaticFactsCache(options.factsCache.dir, extractorVersion(compiled.interest, BLOB_MIN), options.factsCache.warn)
    : undefined;
  const pending: Pending[] = [];
  const known = new Map<string, ExtractorAnswer>();
  const seen = new Set<string>();
  const largestFirst = [...artifacts].sort((a, b) => b.size - a.size || a.filename.localeCompare(b.filename));
  for (const [index, artifact] of largestFirst.entries()) {
    const archive = { artifact, index, total: largestFirst.length };
    options.onArchive?.("start", archive);
    try {
      if (cache.has(artifact.sha256) || seen.has(artifact.sha256)) continue;
      seen.add(artifact.sha256);
      const inventory = takeInventory(
        { path: artifact.path }, artifact.filename, artifact.kind, compiled.binaryPatterns,
        options.limits ?? DEFAULT_LIMITS, options.readLimits ?? DEFAULT_READ_LIMITS,
      );
      const digests = inventory.sources.map((source) => fileDigest(source.bytes));
      let packed = 0;
      if (factsCache && digests.some((digest) => !known.has(digest))) {
        const cached = await factsCache.lookup(artifact.name, artifact.sha256);
        for (const [digest, answer] of cached.files) known.set(digest, answer);
        if (cached.own) packed = cached.files.size;
      }
      pending.push({ artifact, inventory, digests, packed });
    } finally {
      options.onArchive?.("end", archive);
    }
  }
  // Each distinct file not known yet goes to the extractor once, whichever archives hold it.
  const sources = new Map<string, SourceFile>();
  for (const { inventory, digests } of pending) {
    inventory.sources.forEach((source, i) => {
      const digest = digests[i] as string;
      if (!known.has(digest) && !sources.has(digest)) sources.set(digest, { id: digest, path: source.path, bytes: source.bytes });
    });
  }
  const extracted = await runFactExtractor([...sources.values()], {
    python: options.python, wrap: options.wrap, spawn: options.spawn, interest: compiled.interest, blobMin: BLOB_MIN,
    jobs: options.jobs ?? availableParallelism(),
  });
  for (const [digest, answer] of extracted.answers) known.set(digest, answer);
  const policy = makeAllowlistPolicy(options.allowlist);
  for (const { artifact, inventory, digests, packed } of pending) {
    const facts = new Map<string, FileFacts>();
    const answers = new Map<string, ExtractorAnswer>();
    inventory.sources.forEach((source, i) => {
      const digest = digests[i] as string;
      const answer = known.get(digest);
      if (answer) answers.set(digest, answer);
      const got = answer ? factsOfAnswer(answer, source.bytes) : extracted.files.get(digest);
      if (got) facts.set(source.path, got);
    });
    // An archive's own pack is written again only when it learnt something.
    if (factsCache && answers.size > packed) await factsCache.store(artifact.name, artifact.sha256, answers);
    const { hits, ...result } = analyse(artifact, inventory, facts, compiled);
    const outcome = findingsFromHits(hits, artifact, inventory.root, policy);
    result.findings = outcome.findings;
    result.notes.push(...outcome.notes);
    cache.set(artifact.sha256, result);
  }
  const results = new Map<string, ArtifactStaticResult>();
  for (const artifact of artifacts) {
    const result = cache.get(artifact.sha256);
    if (result) results.set(artifact.sha256, result);
  }
  const findings = [...results.values()].flatMap((result) => result.findings);
  const notes = [
    ...extracted.notes,
    ...[...results.values()].flatMap((result) => result.notes.map((note) => `${result.filename}: ${note}`)),
  ];
  const worst = SEVERITIES.find((severity) => findings.some((finding) => finding.severity === severity));
  return { artifacts: results, findings, notes, worst };
}

function analyse(
  artifact: Artifact,
  inventory: Inventory,
  facts: Map<string, FileFacts>,
  compiled: CompiledRules,
): ArtifactStaticResult & { hits: ReturnType<typeof matchFacts> } {
  const scopes = inventory.archive === "sdist"
    ? assignScopes({ root: inventory.root, sources: facts, configs: inventory.configs })
    : new Map<string, "runtime">();
  const sources: ScopedSource[] = [];
  let regexFallback = 0;
  const notes = [...inventory.notes];
  for (const [path, fileFacts] of facts) {
    sources.push({ path, scope: scopes.get(path) ?? "runtime", facts: fileFacts });
    if (fileFacts.parse === "regex-fallback") {
      regexFallback++;
      notes.push(`${path}: not valid Python 3 (${fileFacts.error ?? "unknown error"}); scanned with the regex fallback`);
    }
  }
  for (const path of inventory.unreadableSources) notes.push(`${path}: could not be read, so it was not inspected`);
  const input: MatchInput = {
    archive: inventory.archive,
    issues: inventory.issues,
    installPaths: inventory.installPaths,
    pth: inventory.pth,
    sources,
    binaries: inventory.binaries,
    layout: layoutOf(inventory),
  };
  return {
    sha256: artifact.sha256,
    name: artifact.name,
    version: artifact.version,
    filename: artifact.filename,
    findings: [],
    notes,
    hits: matchFacts(compiled, input),
    stats: {
      entries: inventory.entryCount,
      sourceFiles: inventory.sources.length,
      sourceBytes: inventory.sources.reduce((sum, source) => sum + source.bytes.length, 0),
      binaries: inventory.binaries.length,
      regexFallback,
      bytesRead: inventory.bytesRead,
    },
  };
}

function layoutOf(inventory: Inventory): BinaryLayout | undefined {
  if (inventory.archive !== "wheel") return undefined;
  const extensions = inventory.binaries.filter((binary) => binary.kind === "extension").length;
  if (extensions === 0) return undefined;
  return inventory.sources.length === 0 ? "binary-only" : "mixed";
}

/** Archive problems that make an unpacker write outside its target folder. */
const UNPACK_PROBLEMS: ReadonlySet<ArchiveProblem> = new Set<ArchiveProblem>(["path-traversal", "absolute-path", "link-outside"]);

/**
 * Findings for archives whose members reach outside the folder they are unpacked into, blamed on
 * the archive's project in `phase`: pip unpacks sdists in the fetch phase, before the static scan,
 * and what it then writes through such a member is the archive's doing, not pip's.
 */
export function unpackFindings(artifacts: readonly Artifact[], rules: readonly StaticRule[], phase: Phase): StaticFinding[] {
  const compiled = compileRules(rules.filter((rule) => rule.match.fact === "archive"));
  const policy = makeAllowlistPolicy([]);
  return artifacts.flatMap((artifact) => {
    const reader = openArchive({ path: artifact.path }, artifact.filename);
    try {
      const issues = reader.issues.filter((issue) => UNPACK_PROBLEMS.has(issue.problem));
      const input: MatchInput = { archive: artifact.kind, issues, installPaths: [], pth: [], sources: [], binaries: [], layout: undefined };
      return findingsFromHits(matchFacts(compiled, input), artifact, "", policy).findings.map((finding) => ({ ...finding, phase }));
    } finally {
      reader.close();
    }
  });
}
