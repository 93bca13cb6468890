import type { Artifact } from "../core/artifact.ts";
import type { Finding } from "../core/finding.ts";
import type { EventStream, StaticFactsEvent } from "../events/stream.ts";
import type { StaticScanSandbox } from "../pipeline/scan.ts";
import { type ArtifactStaticResult, scanArtifactsStatically } from "../static/index.ts";
import type { StaticStagePlan } from "./plan.ts";

/**
 * The static scan of every downloaded file, before any of its code is installed: the archive and
 * source rules, with the extractor in `sandbox`. Returns every finding in the scan's order, and
 * what was found in each archive.
 */
export async function staticStage(
  plan: StaticStagePlan,
  artifacts: Artifact[],
  sandbox: StaticScanSandbox,
  debug: (message: string) => void,
  events: EventStream,
): Promise<{ findings: Finding[]; perArchive: StaticFactsEvent[] }> {
  const cache = new Map<string, ArtifactStaticResult>();
  const result = await scanArtifactsStatically(artifacts, {
    rules: plan.rules, allowlist: plan.allowlist, python: sandbox.python, spawn: sandbox.spawn, cache,
    factsCache: plan.factsCache,
    onArchive: (state, { artifact, index, total }) => events.publish(state === "start" ? "item-start" : "item-end", { stage: "static", name: artifact.filename, index, total }),
  });
  for (const note of result.notes) debug(note);
  const perArchive = artifacts.map((artifact) => ({ artifact, findings: result.artifacts.get(artifact.sha256)?.findings ?? [] }));
  return { findings: result.findings, perArchive };
}
