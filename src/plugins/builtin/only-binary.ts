import { normalizeName } from "../../core/names.ts";
import { refuseSdists } from "../../static/index.ts";
import { definePlugin, type Plugin } from "../api.ts";

/** `--only-binary NAMES` (or `:all:`): an sdist of those projects is refused before the static scan, before anything builds it. */
export function onlyBinaryPlugin(onlyBinary: readonly string[]): Plugin {
  const applies = (name: string) => onlyBinary.includes(":all:") || onlyBinary.includes(normalizeName(name));
  return definePlugin({
    name: "builtin:only-binary",
    api: "^1.0.0",
    rules: [
      {
        id: "static.only-binary",
        severity: "block",
        description: "Source distribution refused (--only-binary).",
        explanation: "The project is only available here as a source distribution, and building one runs its setup code.",
      },
    ],
    onArtifact: (artifact) => (applies(artifact.name) ? refuseSdists([artifact]) : []),
  });
}
