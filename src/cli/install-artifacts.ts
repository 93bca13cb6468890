import { dirname, join } from "node:path";
import { writeFileSync } from "node:fs";
import { makeTempDir } from "../core/cleanup.ts";
import { ScanFailedError } from "../core/errors.ts";
import type { InstalledDistribution } from "../core/artifact.ts";
import type { ScanResult } from "../pipeline/scan.ts";
import { renderRequirementsLock } from "../lock/requirements-lock.ts";
import { logger } from "./output.ts";

/**
 * What this machine installs: the wheels the scan installed and imported. An sdist is replaced
 * by the wheel built from it in the sandbox, so its build code never runs outside the sandbox.
 */
function installedWheels(installed: readonly InstalledDistribution[]): InstalledDistribution[] {
  return installed.map((dist) => ({
    ...dist,
    artifacts: dist.artifacts.map((artifact) => (artifact.builtWheel ? { ...artifact, ...artifact.builtWheel, kind: "wheel" as const } : artifact)),
  }));
}

/**
 * Installs exactly the scanned files into the environment of `python3` on PATH (an activated
 * venv's, typically): no index, hashes required, so nothing can be re-downloaded or swapped
 * between the scan and the install, and wheels only, so no package code runs while installing.
 * The hashed list pip reads goes under `temporaryDirectory` (--temporary-directory), like the scan's.
 */
export async function installScannedArtifacts(scan: ScanResult, options: { python?: string; temporaryDirectory?: string } = {}): Promise<void> {
  const python = options.python ?? "python3";
  const wheels = installedWheels(scan.installed);
  const folders = [...new Set(wheels.flatMap((dist) => dist.artifacts).map((artifact) => dirname(artifact.path)))];
  const temp = makeTempDir("pipcanary-install", options.temporaryDirectory);
  try {
    const lock = join(temp.path, "scanned.txt");
    writeFileSync(lock, renderRequirementsLock(wheels));
    const argv = [python, "-m", "pip", "install", "--isolated", "--disable-pip-version-check", "--no-input", "--no-index", "--no-deps", "--require-hashes", "--only-binary", ":all:",
      ...folders.flatMap((folder) => ["--find-links", folder]), "-r", lock];
    logger.info(`Installing ${scan.installed.length} scanned package(s) with ${python} -m pip (no index, hashes required)…`);
    const env: Record<string, string> = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/", LANG: "C.UTF-8", PIP_CONFIG_FILE: "/dev/null" };
    if (process.env.VIRTUAL_ENV) env.VIRTUAL_ENV = process.env.VIRTUAL_ENV;
    // pip's chatter is progress, so it goes to stderr; stdout stays for results.
    const child = Bun.spawn(argv, { env, stdin: "ignore", stdout: "pipe", stderr: "inherit" });
    for await (const chunk of child.stdout) process.stderr.write(chunk);
    const code = await child.exited;
    if (code !== 0) throw new ScanFailedError(`pip install of the scanned files failed (exit ${code})`, "see pip's output above; nothing outside the scanned files was used");
  } finally {
    temp.release();
  }
}
