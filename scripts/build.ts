/**
 * Builds the self-contained binary. `--target` picks another platform:
 * bun-linux-x64 (default), bun-linux-arm64, bun-linux-x64-musl, bun-linux-arm64-musl.
 */
import { mkdirSync } from "node:fs";

const targetFlag = process.argv.indexOf("--target");
const target = targetFlag >= 0 ? process.argv[targetFlag + 1] : "bun-linux-x64";
const outfile = targetFlag >= 0 ? `dist/pipcanary-${target?.replace(/^bun-/, "")}` : "dist/pipcanary";
mkdirSync("dist", { recursive: true });
const proc = Bun.spawnSync(
  [process.execPath, "build", "--compile", "--minify", "--sourcemap=none", `--target=${target}`, "src/main.ts", "--outfile", outfile],
  { stdout: "inherit", stderr: "inherit" },
);
if (proc.exitCode !== 0) process.exit(proc.exitCode ?? 1);
console.log(`built ${outfile}`);
