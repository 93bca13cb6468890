/** The benchmark set of bench/scan.ts (benign wheels and sdists, some depending on others) and its timing helpers. */
import type { FixtureFile, FixtureProject } from "../test/harness/types.ts";
import { buildSdist } from "../test/harness/sdist.ts";
import { buildWheel } from "../test/harness/wheel.ts";

/** A small but real package: a few modules that import each other and a little stdlib. */
function sources(module: string): Record<string, string> {
  return {
    [`${module}/__init__.py`]: `import json, re\nfrom .core import VALUE\nfrom . import util\nNAME = ${JSON.stringify(module)}\n`,
    [`${module}/core.py`]: "import collections\nVALUE = collections.Counter('pipcanary')\n",
    [`${module}/util.py`]: "import functools\n@functools.lru_cache\ndef twice(x):\n    return 2 * x\n",
    [`${module}/data.json`]: "{\"ok\": true}\n",
  };
}

export function benchProjects(wheels: number, sdists: number): { projects: FixtureProject[]; names: string[]; files: FixtureFile[] } {
  const projects: FixtureProject[] = [];
  const names: string[] = [];
  for (let i = 0; i < wheels; i++) {
    const name = `bench-wheel-${i}`;
    // Every fourth wheel depends on the next one, so the resolver has some work.
    const requires = i % 4 === 0 && i + 1 < wheels ? [`bench-wheel-${i + 1}`] : [];
    projects.push({ name, releases: [{ version: "1.0", files: [buildWheel({ name, version: "1.0", files: sources(`bench_wheel_${i}`), requires })] }] });
    names.push(name);
  }
  for (let i = 0; i < sdists; i++) {
    const name = `bench-sdist-${i}`;
    projects.push({ name, releases: [{ version: "1.0", files: [buildSdist({ name, version: "1.0", files: sources(`bench_sdist_${i}`) })] }] });
    names.push(name);
  }
  const files = projects.flatMap((project) => project.releases.flatMap((release) => release.files));
  return { projects, names, files };
}

export async function timed(run: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await run();
  return (performance.now() - started) / 1000;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

