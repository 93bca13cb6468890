/**
 * Builds the release binaries into dist/release: linux x64 and arm64, glibc and musl, named
 * `pipcanary-linux-<arch>[-musl]` (the names action.yml and ci/github/install-pipcanary.sh
 * download), writes SHA256SUMS in `sha256sum -c` format, and smoke-tests the binary for this
 * machine with --version and --help. Cross targets need bun's runtime for that platform, which
 * bun downloads on first use; a target whose runtime cannot be fetched is reported and skipped,
 * and the script then exits 1 after building everything else.
 * Usage: bun run scripts/release.ts [--out DIR]
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { arch } from "node:os";
import { join } from "node:path";
import pkg from "../package.json" with { type: "json" };

interface ReleaseTarget {
  /** bun's --target name. */
  bun: string;
  asset: string;
}

const TARGETS: readonly ReleaseTarget[] = [
  { bun: "bun-linux-x64", asset: "pipcanary-linux-x64" },
  { bun: "bun-linux-arm64", asset: "pipcanary-linux-arm64" },
  { bun: "bun-linux-x64-musl", asset: "pipcanary-linux-x64-musl" },
  { bun: "bun-linux-arm64-musl", asset: "pipcanary-linux-arm64-musl" },
];

function outDir(argv: string[]): string {
  const index = argv.indexOf("--out");
  return index >= 0 && argv[index + 1] ? (argv[index + 1] as string) : join("dist", "release");
}

/** The glibc build for this machine's CPU: the one that can be smoke-tested here. */
function nativeAsset(): string {
  const cpu = arch() === "arm64" ? "arm64" : "x64";
  return `pipcanary-linux-${cpu}`;
}

function build(target: ReleaseTarget, dir: string): { ok: true } | { ok: false; reason: string } {
  const outfile = join(dir, target.asset);
  const proc = Bun.spawnSync(
    [process.execPath, "build", "--compile", "--minify", "--sourcemap=none", `--target=${target.bun}`, "src/main.ts", "--outfile", outfile],
    { stdout: "pipe", stderr: "pipe" },
  );
  if (proc.exitCode === 0) return { ok: true };
  // bun prints its bundling progress first; the cause is its last line.
  const lastLine = `${proc.stdout.toString()}${proc.stderr.toString()}`.trim().split("\n").at(-1);
  return { ok: false, reason: lastLine || `bun build exited ${proc.exitCode}` };
}

function smokeTest(binary: string): string[] {
  const problems: string[] = [];
  const version = Bun.spawnSync([binary, "--version"], { stdout: "pipe", stderr: "pipe" });
  if (version.exitCode !== 0 || !version.stdout.toString().includes(pkg.version)) {
    problems.push(`--version exited ${version.exitCode} and printed "${version.stdout.toString().trim()}" (expected ${pkg.version})`);
  }
  const help = Bun.spawnSync([binary, "--help"], { stdout: "pipe", stderr: "pipe" });
  if (help.exitCode !== 0 || !help.stdout.toString().includes("--requirement")) {
    problems.push(`--help exited ${help.exitCode} without listing --requirement`);
  }
  return problems;
}

const dir = outDir(process.argv.slice(2));
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });

const built: string[] = [];
const failed: string[] = [];
for (const target of TARGETS) {
  const result = build(target, dir);
  if (result.ok) {
    built.push(target.asset);
    console.log(`built   ${target.asset} (${target.bun})`);
  } else {
    failed.push(target.asset);
    console.error(`FAILED  ${target.asset} (${target.bun}): ${result.reason}`);
    console.error(`        bun downloads the ${target.bun} runtime from the npm registry on first use; check that this machine reaches it.`);
  }
}

const sums = built.map((asset) => `${createHash("sha256").update(readFileSync(join(dir, asset))).digest("hex")}  ${asset}\n`).join("");
writeFileSync(join(dir, "SHA256SUMS"), sums);
console.log(`wrote   ${join(dir, "SHA256SUMS")} (${built.length} binaries)`);

const native = nativeAsset();
if (!built.includes(native)) {
  console.error(`FAILED  smoke test: the native binary ${native} was not built`);
  process.exit(1);
}
const problems = smokeTest(join(dir, native));
for (const problem of problems) console.error(`FAILED  smoke test of ${native}: ${problem}`);
if (problems.length > 0) process.exit(1);
console.log(`passed  smoke test of ${native} (--version, --help)`);
if (failed.length > 0) {
  console.error(`${failed.length} of ${TARGETS.length} targets did not build: ${failed.join(", ")}`);
  process.exit(1);
}
