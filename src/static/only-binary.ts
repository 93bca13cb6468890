import type { Artifact } from "../core/artifact.ts";
import type { StaticFinding } from "../core/finding.ts";

/**
 * With `--only-binary`, a source distribution is refused before anything runs: building it would
 * execute its setup code. Returns one blocking finding per sdist (none when all are wheels).
 */
export function refuseSdists(artifacts: readonly Artifact[]): StaticFinding[] {
  return artifacts
    .filter((artifact) => artifact.kind === "sdist")
    .map((artifact): StaticFinding => ({
      source: "static",
      ruleId: "static.only-binary",
      severity: "block",
      description: "Source distribution refused (--only-binary).",
      explanation:
        `${artifact.name} ${artifact.version} is only available here as a source distribution, and building one runs its ` +
        "setup code. Pin a version that ships a wheel, or drop --only-binary to let the sandbox build it.",
      package: artifact.name,
      phase: "static",
      subject: { kind: "archive", file: artifact.filename, detail: "source distribution while --only-binary is set" },
      artifactSha256: artifact.sha256,
    }));
}
