import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { normalizeName } from "../../src/core/names.ts";
import type { Artifact } from "../../src/core/artifact.ts";
import type { Finding } from "../../src/core/finding.ts";
import type { StaticRule } from "../../src/rules/types.ts";
import { loadRuleSet } from "../../src/rules/rule-set.ts";
import { scanArtifactsStatically, type StaticResult, type StaticScanOptions } from "../../src/static/index.ts";
import { buildSdist, type SdistSpec } from "../harness/sdist.ts";
import { buildWheel, type WheelSpec } from "../harness/wheel.ts";

export const BUILTIN_RULES: StaticRule[] = loadRuleSet().static;

/** Writes archive bytes into `dir` and describes them as a fetched artifact. */
export function artifactOf(dir: string, filename: string, bytes: Uint8Array, name?: string, version = "1.0"): Artifact {
  const path = join(dir, filename);
  writeFileSync(path, bytes);
  return {
    name: normalizeName(name ?? filename.split("-")[0] ?? filename),
    version,
    filename,
    path,
    sha256: createHash("sha256").update(bytes).digest("hex"),
    size: bytes.length,
    kind: filename.endsWith(".whl") ? "wheel" : "sdist",
    url: undefined,
  };
}

export function wheelArtifact(dir: string, spec: WheelSpec): Artifact {
  const built = buildWheel(spec);
  return artifactOf(dir, built.filename, built.content, spec.name, spec.version);
}

export function sdistArtifact(dir: string, spec: SdistSpec): Artifact {
  const built = buildSdist(spec);
  return artifactOf(dir, built.filename, built.content, spec.name, spec.version);
}

export function scan(artifacts: Artifact[], options: Partial<StaticScanOptions> = {}): Promise<StaticResult> {
  return scanArtifactsStatically(artifacts, { rules: BUILTIN_RULES, allowlist: [], python: "python3", jobs: 1, ...options });
}

/** "ruleId severity" for every finding, to compare in tests. */
export function summary(findings: readonly Finding[]): string[] {
  return findings.map((finding) => `${finding.ruleId} ${finding.severity}`);
}

export function findingFor(result: StaticResult, ruleId: string): Finding | undefined {
  return result.findings.find((finding) => finding.ruleId === ruleId);
}
