import type { Artifact } from "../../core/artifact.ts";
import { normalizeName } from "../../core/names.ts";
import { definePlugin, type Plugin, type PluginFinding, type PluginRule } from "../api.ts";

const ONLY_BINARY: PluginRule = {
  id: "static.only-binary",
  severity: "block",
  description: "Source distribution refused (--only-binary).",
  explanation: "The project is only available here as a source distribution, and building one runs its setup code.",
};

function refused(artifact: Artifact): PluginFinding {
  return {
    ruleId: ONLY_BINARY.id,
    package: artifact.name,
    subject: { kind: "archive", file: artifact.filename, detail: "source distribution while --only-binary is set" },
    explanation:
      `${artifact.name} ${artifact.version} is only available here as a source distribution, and building one runs its ` +
      "setup code. Pin a version that ships a wheel, or drop --only-binary to let the sandbox build it.",
  };
}

/** `--only-binary NAMES` (or `:all:`): an sdist of those projects is refused before the static scan, before anything builds it. */
export function onlyBinaryPlugin(onlyBinary: readonly string[]): Plugin {
  const applies = (artifact: Artifact) => artifact.kind === "sdist" && (onlyBinary.includes(":all:") || onlyBinary.includes(normalizeName(artifact.name)));
  return definePlugin({
    name: "builtin:only-binary",
    api: "^1.0.0",
    rules: [ONLY_BINARY],
    onArtifact: (artifact) => (applies(artifact) ? [refused(artifact)] : []),
  });
}
