/**
 * What a scan costs against plain pip, in one run and alternating: per round, a plain
 * `pip install --no-index --find-links` into a fresh venv (no sandbox, no tracing), a cold
 * pipcanary scan (empty cache dir) and a warm rerun (the same cache dir: metadata, static facts
 * and the verdict cache), with the compiled binary, on
 *   (a) the test packages: 16 wheels and 4 sdists from bench/scan-set.ts, on the fixture index;
 *   (b) the real set: about 50 popular projects (90-odd wheels) from this machine's wheel mirror
 *       (bench/real-set.ts), served from a local index; skipped, saying so, without a mirror.
 * It prints each round's times, each phase's time (from the binary's progress lines on stderr;
 * the static scan and the wheels' install run side by side, so their shared stretch is printed
 * with what each took alone, from the binary's debug lines), whether the warm rerun reused a
 * verdict (the report's verdictFromCache: it then runs neither install nor import), the medians,
 * and the ratios to plain pip measured in each round (side by side, under the same load). It
 * fails when a real package gets a blocking finding (the false-positive guard) or a test package
 * a warning or a blocking finding.
 *
 * Usage: bun bench/scan.ts [rounds (default 2)] [fixture|real|all (default all)]   (needs `npm run build`)
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { basename, join } from "node:path";
import { buildToolProjects } from "../test/harness/build-tools.ts";
import { startIndexServer } from "../test/harness/index-server.ts";
import { hostPython, makeVenv, runPip } from "../test/harness/pip.ts";
import type { FixtureFile, FixtureProject, IndexServer } from "../test/harness/types.ts";
import { fixtureProjects, mirrorSources, REAL_NAMES, resolveWheels } from "./real-set.ts";
import { benchProjects, median } from "./scan-set.ts";

const rounds = Number(process.argv[2] ?? 2);
const which = process.argv[3] ?? "all";
const binary = join(import.meta.dir, "..", "dist", "pipcanary");
const UPLOAD_TIME = "2024-01-02T03:04:05Z";

/**
 * Stretches of wall time by the progress line that starts them; anything before the first line
 * is start-up. The static scan and the downloaded wheels' install share one stretch, one line.
 */
const PHASE_OF: [RegExp, string][] = [
  [/^Downloading/, "fetch"],
  [/^Scanning .* statically while .* install/, "static+install"],
  [/^Scanning .* statically/, "static"],
  [/^Building .* sdist/, "build"],
  [/^Installing .* wheel/, "install"],
  [/^Behavioural verdict from/, "verdict reused"],
  [/^Importing/, "import"],
  [/^Auditing/, "audit"],
];
/** What each of the side-by-side stages took on its own, from the binary's debug lines. */
const OWN_TIME_OF: [RegExp, string][] = [
  [/debug: Static scan done in ([\d.]+) s/, "static alone"],
  [/debug: Wheel install done in ([\d.]+) s/, "wheel install alone"],
];
const PHASES = ["start-up", ...new Set(PHASE_OF.map(([, phase]) => phase)), ...OWN_TIME_OF.map(([, phase]) => phase)];

interface BenchSet {
  label: string;
  names: string[];
  /** Every file, for plain pip's --find-links. */
  files: FixtureFile[];
  projects: FixtureProject[];
  /** The severities that fail the benchmark. */
  failOn: readonly string[];
}

interface ScanRun {
  seconds: number;
  exitCode: number;
  phases: Map<string, number>;
  findings: { severity: string; label: string }[];
  /** The report's verdict-cache line: where the reused behavioural verdict came from; undefined when install and import ran. */
  verdictFrom: string | undefined;
}

/** Runs the binary; a phase lasts from its progress line to the next line that starts another. */
async function scanOnce(set: BenchSet, requirements: string, index: IndexServer, cacheDir: string, work: string): Promise<ScanRun> {
  const started = performance.now();
  const child = Bun.spawn(
    [binary, "-r", requirements, "-i", index.simpleUrl, "--osv-url", index.url, "--format", "json", "--log-level", "debug", "--cache-dir", cacheDir, "--temporary-directory", work],
    { stdout: "pipe", stderr: "pipe", stdin: "ignore" },
  );
  const marks: { phase: string; at: number }[] = [{ phase: "start-up", at: started }];
  const stderrLines: string[] = [];
  const ownTimes = new Map<string, number>();
  const readStderr = (async () => {
    const decoder = new TextDecoder();
    let pending = "";
    for await (const chunk of child.stderr) {
      pending += decoder.decode(chunk, { stream: true });
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines.map((text) => text.trim()).filter(Boolean)) {
        stderrLines.push(line);
        const phase = PHASE_OF.find(([pattern]) => pattern.test(line))?.[1];
        if (phase) marks.push({ phase, at: performance.now() });
        for (const [pattern, name] of OWN_TIME_OF) {
          const seconds = pattern.exec(line)?.[1];
          if (seconds !== undefined) ownTimes.set(name, Number(seconds));
        }
      }
    }
  })();
  const stdout = await new Response(child.stdout).text();
  await readStderr;
  const exitCode = await child.exited;
  const ended = performance.now();
  const phases = new Map<string, number>();
  marks.forEach((mark, i) => phases.set(mark.phase, (phases.get(mark.phase) ?? 0) + ((marks[i + 1]?.at ?? ended) - mark.at) / 1000));
  for (const [name, seconds] of ownTimes) phases.set(name, seconds);
  let parsed: { findings?: { severity: string; ruleId: string; package?: string }[]; verdictFromCache?: { level: string; madeAt: string } | null };
  try {
    parsed = JSON.parse(stdout) as typeof parsed;
  } catch {
    throw new Error(`${set.label}: pipcanary printed no JSON (exit ${exitCode}):\n${stderrLines.slice(-10).join("\n")}`);
  }
  const findings = (parsed.findings ?? []).map((finding) => ({ severity: finding.severity, label: `${finding.package ?? "?"}: ${finding.ruleId}` }));
  const reused = parsed.verdictFromCache ?? undefined;
  return { seconds: (ended - started) / 1000, exitCode, phases, findings, verdictFrom: reused ? `${reused.level} cache, made ${reused.madeAt}` : undefined };
}

async function plainOnce(set: BenchSet, links: string, work: string, round: number): Promise<number> {
  const home = join(work, `plain-home-${round}`);
  const venvDir = join(work, `plain-venv-${round}`);
  mkdirSync(home, { recursive: true });
  const started = performance.now();
  const venv = await makeVenv(venvDir, { home });
  const result = await runPip(["install", "--no-index", "--find-links", links, "--no-cache-dir", "--progress-bar", "off", ...set.names], { home, venv });
  const seconds = (performance.now() - started) / 1000;
  if (result.exitCode !== 0) throw new Error(`${set.label}: plain pip install failed:\n${result.stderr}`);
  rmSync(venvDir, { recursive: true, force: true });
  return seconds;
}

function phaseLine(run: ScanRun): string {
  return PHASES.filter((phase) => run.phases.has(phase)).map((phase) => `${phase} ${(run.phases.get(phase) ?? 0).toFixed(1)}`).join(", ");
}

/** Runs one set; returns false when a finding fails it. */
async function benchSet(set: BenchSet, work: string): Promise<boolean> {
  const dir = join(work, set.label);
  const links = join(dir, "links");
  mkdirSync(links, { recursive: true });
  for (const file of set.files) writeFileSync(join(links, file.filename), file.content);
  const requirements = join(dir, "requirements.txt");
  writeFileSync(requirements, `${set.names.join("\n")}\n`);
  const index = await startIndexServer(set.projects);
  let ok = true;
  const times = { plain: [] as number[], cold: [] as number[], warm: [] as number[] };
  // Each round's ratio is measured side by side, under the same load: the figure to quote.
  const ratios = { cold: [] as number[], warm: [] as number[] };
  const phaseTimes = { cold: new Map<string, number[]>(), warm: new Map<string, number[]>() };
  const verdictReused: boolean[] = [];
  try {
    const wheels = set.files.filter((file) => file.filename.endsWith(".whl")).length;
    console.log(`\n== ${set.label}: ${set.names.length} requested, ${set.files.length} files (${wheels} wheels); python ${hostPython()}; ${availableParallelism()} cores`);
    for (let round = 0; round < rounds; round++) {
      times.plain.push(await plainOnce(set, links, dir, round));
      const cacheDir = join(dir, `cache-${round}`);
      const cold = await scanOnce(set, requirements, index, cacheDir, dir);
      const warm = await scanOnce(set, requirements, index, cacheDir, dir);
      rmSync(cacheDir, { recursive: true, force: true });
      for (const [kind, run] of [["cold", cold], ["warm", warm]] as const) {
        times[kind].push(run.seconds);
        for (const [phase, seconds] of run.phases) phaseTimes[kind].set(phase, [...(phaseTimes[kind].get(phase) ?? []), seconds]);
        const failing = run.findings.filter((finding) => set.failOn.includes(finding.severity));
        if (failing.length > 0) {
          ok = false;
          console.log(`  ${kind} scan: findings that fail the benchmark: ${[...new Set(failing.map((finding) => `${finding.severity} ${finding.label}`))].join("; ")}`);
        }
      }
      verdictReused.push(warm.verdictFrom !== undefined);
      if (cold.verdictFrom !== undefined) console.log(`  cold scan: reused a verdict (${cold.verdictFrom}) although its cache dir was new`);
      const warnings = [...new Set(cold.findings.filter((finding) => finding.severity === "warn").map((finding) => finding.label))];
      const plainNow = times.plain.at(-1) ?? Number.NaN;
      ratios.cold.push(cold.seconds / plainNow);
      ratios.warm.push(warm.seconds / plainNow);
      console.log(
        `round ${round + 1}: plain pip ${plainNow.toFixed(1)} s; cold scan ${cold.seconds.toFixed(1)} s (exit ${cold.exitCode}, ${(cold.seconds / plainNow).toFixed(2)}x); ` +
          `warm rerun ${warm.seconds.toFixed(1)} s (exit ${warm.exitCode}, ${(warm.seconds / plainNow).toFixed(2)}x)`,
      );
      console.log(`  cold: ${phaseLine(cold)}`);
      console.log(`  warm: ${phaseLine(warm)}`);
      console.log(`  warm rerun: ${warm.verdictFrom ? `verdict cache hit (${warm.verdictFrom}): install and import skipped` : "verdict cache MISSED: install and import ran again"}`);
      if (warnings.length > 0) console.log(`  warnings: ${warnings.join("; ")}`);
    }
    const plain = median(times.plain);
    const cold = median(times.cold);
    const warm = median(times.warm);
    const phases = (kind: "cold" | "warm") =>
      PHASES.filter((phase) => phaseTimes[kind].has(phase)).map((phase) => `${phase} ${median(phaseTimes[kind].get(phase) ?? []).toFixed(1)}`).join(", ");
    console.log(`${set.label}, medians of ${rounds}:`);
    console.log(`  plain pip install (fresh venv, no sandbox, no tracing): ${plain.toFixed(1)} s`);
    const range = (values: number[]) => `${Math.min(...values).toFixed(2)}-${Math.max(...values).toFixed(2)}x`;
    console.log(`  pipcanary cold scan: ${cold.toFixed(1)} s; ratio to plain pip per round ${range(ratios.cold)} (target <= 1.3x); ${phases("cold")}`);
    console.log(`  pipcanary warm rerun: ${warm.toFixed(1)} s; ratio to plain pip per round ${range(ratios.warm)} (target <= 0.3x); ${phases("warm")}`);
    const hits = verdictReused.filter(Boolean).length;
    console.log(`  verdict cache (same --cache-dir for the cold scan and its warm rerun): hit in ${hits} of ${rounds} warm reruns${hits < rounds ? "; a miss installed and imported again" : ""}`);
  } finally {
    await index.stop();
  }
  return ok;
}

function fixtureSet(): BenchSet {
  const { projects, names } = benchProjects(16, 4);
  const dated = [...buildToolProjects(), ...projects].map((project) => ({
    ...project,
    releases: project.releases.map((release) => ({ ...release, files: release.files.map((file) => ({ ...file, uploadTime: file.uploadTime ?? UPLOAD_TIME })) })),
  }));
  const files = dated.flatMap((project) => project.releases.flatMap((release) => release.files));
  return { label: "test packages", names, files, projects: dated, failOn: ["block", "warn"] };
}

function realSet(work: string): BenchSet | undefined {
  const sources = mirrorSources();
  if (sources.length === 0) {
    console.log("\n== real wheels: skipped: the host pip configuration (pip config list) names no local wheel mirror (file:// index or find-links folder)");
    return undefined;
  }
  const paths = resolveWheels(work, sources, REAL_NAMES);
  const projects = fixtureProjects(paths);
  const files = projects.flatMap((project) => project.releases.flatMap((release) => release.files));
  console.log(`\nreal wheels: ${files.length} resolved from ${sources.join(", ")} (${paths.map((path) => basename(path)).slice(0, 3).join(", ")}, …)`);
  if (files.length < 50) console.log(`real wheels: only ${files.length} wheels (fewer than 50): the mirror lacks some of the set`);
  return { label: "real wheels", names: REAL_NAMES, files, projects, failOn: ["block"] };
}

if (!existsSync(binary)) {
  console.error("bench/scan: build the binary first: npm run build");
  process.exitCode = 1;
} else {
  const work = mkdtempSync(join(tmpdir(), "bench-scan-"));
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      rmSync(work, { recursive: true, force: true });
      process.exit(signal === "SIGINT" ? 130 : 143);
    });
  }
  let ok = true;
  try {
    if (which === "fixture" || which === "all") ok = (await benchSet(fixtureSet(), work)) && ok;
    if (which === "real" || which === "all") {
      const set = realSet(work);
      if (set) ok = (await benchSet(set, work)) && ok;
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  // exitCode, not exit(): exit() can drop console output still buffered for a file or pipe.
  process.exitCode = ok ? 0 : 1;
}
