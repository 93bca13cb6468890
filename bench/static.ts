/**
 * Static-scan benchmark on real archives: `bun bench/static.ts DIR [DIR…]`. Prints per-package
 * findings (so false positives on real code are visible), files and MB/s. JOBS=N sets the number
 * of extractor processes (default one per core); FACTS_CACHE=DIR uses a facts cache there.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { normalizeName } from "../src/core/names.ts";
import type { Artifact } from "../src/core/artifact.ts";
import { loadRuleSet } from "../src/rules/rule-set.ts";
import { scanArtifactsStatically } from "../src/static/index.ts";

const dirs = process.argv.slice(2);
if (dirs.length === 0) {
  console.error("usage: bun bench/static.ts DIR [DIR…]   (folders with .whl / .tar.gz files)");
  process.exit(1);
}
const artifacts: Artifact[] = [];
for (const dir of dirs) {
  for (const filename of readdirSync(dir).sort()) {
    if (!/\.(whl|tar\.gz|tgz|zip)$/.test(filename)) continue;
    const path = resolve(join(dir, filename));
    const [name = filename, version = ""] = filename.split("-");
    artifacts.push({
      name: normalizeName(name), version, filename, path, size: statSync(path).size, url: undefined,
      kind: filename.endsWith(".whl") ? "wheel" : "sdist",
      sha256: createHash("sha256").update(readFileSync(path)).digest("hex"),
    });
  }
}
const rules = loadRuleSet().static;
const started = performance.now();
// FACTS_CACHE=DIR: use (and fill) a static facts cache there; run twice to see a warm scan.
const factsCache = process.env.FACTS_CACHE ? { dir: process.env.FACTS_CACHE, warn: (message: string) => console.error(message) } : undefined;
const jobs = process.env.JOBS ? Number(process.env.JOBS) : undefined;
const result = await scanArtifactsStatically(artifacts, { rules, allowlist: [], python: "python3", jobs, factsCache });
const seconds = (performance.now() - started) / 1000;

let files = 0;
let sourceBytes = 0;
let readBytes = 0;
for (const artifact of artifacts) {
  const scanned = result.artifacts.get(artifact.sha256);
  if (!scanned) continue;
  const { stats } = scanned;
  files += stats.sourceFiles;
  sourceBytes += stats.sourceBytes;
  readBytes += stats.bytesRead;
  console.log(`\n${artifact.filename}: ${stats.entries} entries, ${stats.sourceFiles} Python files (${(stats.sourceBytes / 1e6).toFixed(1)} MB), ${stats.binaries} compiled, ${stats.regexFallback} regex fallback`);
  for (const finding of scanned.findings) {
    const subject = finding.subject;
    const where = subject.kind === "code" ? `${subject.file}:${subject.line ?? "-"}  ${subject.snippet}` : subject.kind === "archive" ? `${subject.file}  ${subject.detail}` : JSON.stringify(subject);
    console.log(`  ${finding.severity.padEnd(5)} ${finding.ruleId}  ${where}`);
  }
  for (const note of scanned.notes.slice(0, 10)) console.log(`  note: ${note}`);
}
const archiveMb = artifacts.reduce((sum, artifact) => sum + artifact.size, 0) / 1e6;
console.log(`\n${artifacts.length} archives (${archiveMb.toFixed(1)} MB), ${files} Python files (${(sourceBytes / 1e6).toFixed(1)} MB source), ${(readBytes / 1e6).toFixed(1)} MB read`);
console.log(`${seconds.toFixed(2)} s: ${(files / seconds).toFixed(0)} files/s, ${(sourceBytes / 1e6 / seconds).toFixed(2)} MB/s of source, ${(archiveMb / seconds).toFixed(2)} MB/s of archive`);
const counts = { block: 0, warn: 0, info: 0 };
for (const finding of result.findings) counts[finding.severity]++;
console.log(`findings: ${counts.block} block, ${counts.warn} warn, ${counts.info} info`);
for (const note of result.notes.filter((note) => note.startsWith("python"))) console.log(`note: ${note}`);
