import { definePlugin, type PluginRule } from "../api.ts";

export const ARTIFACT_TAMPERING: PluginRule = {
  id: "artifact-tampering",
  severity: "block",
  description: "Tampering with downloaded packages.",
  explanation:
    "Code of the package changed the files pip downloaded, which would make pipcanary scan, install and lock something other than what the index served.",
};

export const LINGERING_PROCESS: PluginRule = {
  id: "lingering-process",
  severity: "warn",
  description: "A process kept running after the package's code had finished.",
  explanation:
    "It was still alive after the phase's commands returned and the grace period ended, which is how payloads that wait before they act escape short-lived scans. pipcanary killed it.",
};

/**
 * What the phase trace itself detects about the sandbox's own integrity (src/pipeline/phase-trace.ts):
 * package code changing the downloaded files, and processes outliving their phase.
 */
export const sandboxIntegrityPlugin = definePlugin({
  name: "builtin:sandbox-integrity",
  api: "^1.0.0",
  rules: [ARTIFACT_TAMPERING, LINGERING_PROCESS],
});
