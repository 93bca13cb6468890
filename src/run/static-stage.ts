import type { Artifact } from "../core/artifact.ts";
import type { Finding } from "../core/finding.ts";
import { normalizeName } from "../core/names.ts";
import type { StaticScanSandbox } from "../pipeline/scan.ts";
import { type ArtifactStaticResult, refuseSdists, scanArtifactsStatically } from "../static/index.ts";
import type { StaticStagePlan } from "./plan.ts";

function onlyBinaryApplies(onlyBinary: readonly string[], artifact: Artifact): boolean {
  return onlyBinary.includes(":all:") || onlyBinary.includes(normalizeName(artifact.name));
}

/**
 * The static scan of every downloaded file, before any of its code is installed: sdists that
 * `--only-binary` refuses, then the archive and source rules. The extractor runs in `sandbox`.
 */
export async function staticStage(
  plan: StaticStagePlan,
  artifacts: Artifact[],
  onlyBinary: readonly string[],
  sandbox: StaticScanSandbox,
  debug: (message: string) => void,
): Promise<Finding[]> {
  const refused = refuseSdists(artifacts.filter((artifact) => onlyBinaryApplies(onlyBinary, artifact)));
  const cache = new Map<string, ArtifactStaticResult>();
  const result = await scanArtifactsStatically(artifacts, { rules: plan.rules, allowlist: plan.allowlist, python: sandbox.python, spawn: sandbox.spawn, cache });
  for (const note of result.notes) debug(note);
  return [...refused, ...result.findings];
}
