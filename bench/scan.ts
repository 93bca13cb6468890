/**
 * Benchmark 7b: wall time of a full behavioural scan of ~20 benign packages (16 wheels, 4 sdists,
 * with dependencies between them) versus a plain `pip install --no-index --find-links` of the same
 * files into a fresh venv, with no sandbox and no tracing. Prints both times and the ratio
 * (target ≤ 1.3×). Usage: bun bench/scan.ts [rounds] [sdists (default 4)]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { runScan } from "../src/run/orchestrator.ts";
import { buildToolProjects } from "../test/harness/build-tools.ts";
import { startIndexServer } from "../test/harness/index-server.ts";
import { hostPython, makeVenv, runPip } from "../test/harness/pip.ts";
import { requirementSet } from "../test/e2e/helpers.ts";
import { benchProjects, median, timed } from "./scan-set.ts";

const rounds = Number(process.argv[2] ?? 3);
const SDISTS = Number(process.argv[3] ?? 4);
const WHEELS = 20 - SDISTS;

const { projects, names, files } = benchProjects(WHEELS, SDISTS);
const tools = buildToolProjects();
const index = await startIndexServer([...tools, ...projects]);
const work = mkdtempSync(join(tmpdir(), "pipcanary-bench-"));
try {
  // The same files as the scan downloads, plus setuptools and wheel for the sdists' builds.
  const links = join(work, "links");
  mkdirSync(links);
  for (const file of [...files, ...tools.flatMap((tool) => tool.releases.flatMap((release) => release.files))]) {
    writeFileSync(join(links, file.filename), file.content);
  }

  const plainTimes: number[] = [];
  const scanTimes: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const home = join(work, `home-${round}`);
    const venvDir = join(work, `venv-${round}`);
    mkdirSync(home);
    plainTimes.push(
      await timed(async () => {
        const venv = await makeVenv(venvDir, { home });
        const result = await runPip(["install", "--no-index", "--find-links", links, "--no-cache-dir", "--progress-bar", "off", ...names], { home, venv });
        if (result.exitCode !== 0) throw new Error(`plain pip install failed:\n${result.stderr}`);
      }),
    );
    rmSync(venvDir, { recursive: true, force: true });

    scanTimes.push(
      await timed(async () => {
        const result = await runScan(requirementSet(index, names), { temporaryDirectory: work, progress: () => {} });
        if (result.blocked || result.findings.length > 0) throw new Error(`benign bench packages were flagged: ${JSON.stringify(result.findings[0])}`);
        if (result.installed.length !== names.length) throw new Error(`expected ${names.length} installed, got ${result.installed.length}`);
        result.dispose();
      }),
    );
    console.log(`round ${round + 1}: plain ${plainTimes.at(-1)?.toFixed(2)} s, scan ${scanTimes.at(-1)?.toFixed(2)} s`);
  }
  const plain = median(plainTimes);
  const scanned = median(scanTimes);
  console.log(`packages: ${names.length} (${WHEELS} wheels, ${SDISTS} sdists); python ${hostPython()}; ${cpus().length} cores`);
  console.log(`plain pip install (venv + install, no sandbox, no tracing): ${plain.toFixed(2)} s (median of ${rounds})`);
  console.log(`pipcanary scan (fetch + install + import, sandboxed and traced): ${scanned.toFixed(2)} s (median of ${rounds})`);
  console.log(`ratio: ${(scanned / plain).toFixed(2)}x (target <= 1.3x)`);
} finally {
  await index.stop();
  rmSync(work, { recursive: true, force: true });
}
