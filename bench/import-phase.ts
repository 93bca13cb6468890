/**
 * What the import phase costs: a scan of 20 benign wheels (6 modules each, in sub-packages the
 * top-level package does not import; every fourth with a console script and a plugin entry
 * point), timed from the import phase's progress line to the end of the scan (the import phase is
 * the last). Usage: bun bench/import-phase.ts [rounds]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { runScan } from "../src/run/orchestrator.ts";
import { requirementSet } from "../test/e2e/helpers.ts";
import { buildToolProjects } from "../test/harness/build-tools.ts";
import { startIndexServer } from "../test/harness/index-server.ts";
import type { FixtureProject } from "../test/harness/types.ts";
import { buildWheel } from "../test/harness/wheel.ts";

const rounds = Number(process.argv[2] ?? 3);
const WHEELS = 20;

function benchProject(i: number): FixtureProject {
  const name = `bench-import-${i}`;
  const module = `bench_import_${i}`;
  const files: Record<string, string> = {
    [`${module}/__init__.py`]: "import json, re\nfrom .core import VALUE\n",
    [`${module}/core.py`]: "import collections\nVALUE = collections.Counter('bench')\n",
    [`${module}/util.py`]: "import functools\n@functools.lru_cache\ndef twice(x):\n    return 2 * x\n",
    [`${module}/cli.py`]: "import argparse\ndef main():\n    argparse.ArgumentParser(prog='tool').parse_args()\n",
    [`${module}/sub/__init__.py`]: "",
    [`${module}/sub/extra.py`]: "import textwrap\nTEXT = textwrap.dedent('  x')\n",
  };
  const distInfo = i % 4 === 0 ? { "entry_points.txt": `[console_scripts]\nbench-tool-${i} = ${module}.cli:main\n\n[bench.plugins]\np${i} = ${module}.util:twice\n` } : undefined;
  return { name, releases: [{ version: "1.0", files: [buildWheel({ name, version: "1.0", files, distInfo })] }] };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

const projects = Array.from({ length: WHEELS }, (_, i) => benchProject(i));
const names = projects.map((project) => project.name);
const index = await startIndexServer([...buildToolProjects(), ...projects]);
const work = mkdtempSync(join(tmpdir(), "pipcanary-bench-"));
try {
  const times: number[] = [];
  for (let round = 0; round < rounds; round++) {
    let importStarted = Number.NaN;
    const progress = (message: string) => {
      if (message.startsWith("Importing")) importStarted = performance.now();
    };
    const result = await runScan(requirementSet(index, names), { temporaryDirectory: work, progress });
    const seconds = (performance.now() - importStarted) / 1000;
    if (result.findings.some((finding) => finding.severity !== "info")) throw new Error(`benign bench packages were flagged: ${JSON.stringify(result.findings[0])}`);
    result.dispose();
    times.push(seconds);
    console.log(`round ${round + 1}: import phase ${seconds.toFixed(2)} s`);
  }
  console.log(`packages: ${WHEELS} wheels; ${cpus().length} cores`);
  console.log(`import phase: ${median(times).toFixed(2)} s (median of ${rounds})`);
} finally {
  await index.stop();
  rmSync(work, { recursive: true, force: true });
}
