import type { BehaviouralFinding } from "../../core/finding.ts";
import type { Phase } from "../../core/phase.ts";
import { definePlugin, type PluginRule } from "../api.ts";
import { traceFinding } from "./trace-finding.ts";

const ARTIFACT_TAMPERING: PluginRule = {
  id: "artifact-tampering",
  severity: "block",
  description: "Tampering with downloaded packages.",
  explanation:
    "Code of the package changed the files pip downloaded, which would make pipcanary scan, install and lock something other than what the index served.",
};

const LINGERING_WHY = "which is how payloads that wait before they act escape short-lived scans. pipcanary killed it.";

const LINGERING_PROCESS: PluginRule = {
  id: "lingering-process",
  severity: "warn",
  description: "A process kept running after the package's code had finished.",
  explanation: `It was still alive after the phase's commands returned and the grace period ended, ${LINGERING_WHY}`,
};

/**
 * What the phase trace itself detects about the sandbox's own integrity: package code changing the
 * downloaded files, and processes outliving their phase. The trace builds these findings itself
 * (src/pipeline/phase-trace.ts), synchronously, so a blocking one stops the sandbox at once; this
 * plugin owns their rules, so `pipcanary rules` lists them and packs can except them.
 */
export const sandboxIntegrityPlugin = definePlugin({
  name: "builtin:sandbox-integrity",
  api: "^1.0.0",
  rules: [ARTIFACT_TAMPERING, LINGERING_PROCESS],
});

/** A package's process wrote, renamed, linked or removed `path` in a directory only pip may change. */
export function artifactTampering(at: { package: string; phase: Phase; path: string; syscall: string; argv: string[] }): BehaviouralFinding {
  return traceFinding(ARTIFACT_TAMPERING, { package: at.package, phase: at.phase, subject: { kind: "access", path: at.path }, syscall: at.syscall, argv: at.argv });
}

/** A package's process still alive `graceSeconds` after its phase's commands returned. */
export function lingeringProcess(at: { package: string; phase: Phase; argv: string[]; graceSeconds: number }): BehaviouralFinding {
  return traceFinding(
    LINGERING_PROCESS,
    { package: at.package, phase: at.phase, subject: { kind: "process", argv: at.argv, detail: `still running after the ${at.phase} phase` }, syscall: undefined, argv: at.argv },
    `It was still alive ${at.graceSeconds} s after the ${at.phase} phase's commands returned, ${LINGERING_WHY}`,
  );
}
