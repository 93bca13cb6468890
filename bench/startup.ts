/**
 * Start-up time of the compiled binary (build it first with `npm run build`; this script builds
 * nothing). Runs `dist/pipcanary --version` (and `--help`, which loads the CLI) N times and
 * prints mean and median wall time against the 50 ms goal.
 *
 *   node_modules/.bin/bun bench/startup.ts [runs=30]
 */
import { existsSync } from "node:fs";

const binary = "dist/pipcanary";
const runs = Number(process.argv[2] ?? 30);
const GOAL_MS = 50;

if (!existsSync(binary)) {
  console.error(`${binary} not found: run npm run build first`);
  process.exit(1);
}

function measure(args: string[]): number[] {
  const times: number[] = [];
  Bun.spawnSync([binary, ...args], { stdout: "ignore", stderr: "ignore" });
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const result = Bun.spawnSync([binary, ...args], { stdout: "ignore", stderr: "ignore" });
    times.push(performance.now() - start);
    if (result.exitCode !== 0) throw new Error(`${binary} ${args.join(" ")} exited ${result.exitCode}`);
  }
  return times;
}

function report(label: string, times: number[]): void {
  const sorted = [...times].sort((a, b) => a - b);
  const mean = times.reduce((sum, time) => sum + time, 0) / times.length;
  const median = sorted.length % 2 === 1 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
  const verdict = median < GOAL_MS ? `under ${GOAL_MS} ms` : `OVER ${GOAL_MS} ms`;
  console.log(`${label.padEnd(22)} runs=${times.length} mean=${mean.toFixed(1)} ms median=${median.toFixed(1)} ms min=${sorted[0]!.toFixed(1)} ms max=${sorted[sorted.length - 1]!.toFixed(1)} ms -> ${verdict}`);
}

report("pipcanary --version", measure(["--version"]));
report("pipcanary --help", measure(["--help"]));
