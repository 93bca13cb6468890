import { readFileSync } from "node:fs";
/**
 * The verdict cache's key: everything that can change what the install and import phases see or
 * decide. Two runs with the same key would run the same code in the same twin under the same rules,
 * so the second may reuse the first one's verdict.
 */
import { createHash } from "node:crypto";
import { userInfo } from "node:os";
import type { RulePack } from "../rules/types.ts";

/**
 * The host identity the canary twin mirrors, as far as a verdict depends on it. The hostname is
 * left out: CI runners get a random one per job, and a verdict that depended on it would never be
 * shared across a fleet; a payload that acts only on some hostnames escapes any single scan anyway.
 */
export interface Persona {
  user: string;
  home: string;
}

/** Options that change what the sandbox runs, how long it watches, or how findings are judged. */
export interface BehaviourOptions {
  exerciseSeconds: number;
  graceSeconds: number;
  timeouts: { fetch: number; install: number; import: number };
  allowlist: readonly string[];
  allowNames: readonly string[];
  doNotScan: readonly string[];
  /** `--pass-env` names with a digest of each host value (undefined when unset): the value enters the sandbox. */
  passEnv: readonly { name: string; valueSha256: string | undefined }[];
}

export interface VerdictKeyInputs {
  /** sha256 of every wheel, sdist and build artifact of the run. */
  artifactSha256s: readonly string[];
  /** The requirement lines pip installs from (name, extras, specifier, URL), which decide what is installed and imported. */
  requirements: readonly string[];
  rulesDigest: string;
  pipcanaryVersion: string;
  interpreter: { path: string; version: string };
  persona: Persona;
  behaviour: BehaviourOptions;
}

const KEY_LAYOUT = "pipcanary-verdict-key-v1";

function sha256(text: string | Uint8Array): string {
  return createHash("sha256").update(text).digest("hex");
}

const sorted = (values: readonly string[]) => [...new Set(values)].sort();

/** Hex sha256 over a canonical form of the inputs; order-insensitive for the sets in it. */
export function verdictKey(inputs: VerdictKeyInputs): string {
  const behaviour = inputs.behaviour;
  const canonical = {
    layout: KEY_LAYOUT,
    artifacts: sorted(inputs.artifactSha256s),
    requirements: sorted(inputs.requirements),
    rules: inputs.rulesDigest,
    version: inputs.pipcanaryVersion,
    interpreter: [inputs.interpreter.path, inputs.interpreter.version],
    // Hashed on its own so that no entry, log or key dump carries the user's identity in clear.
    persona: sha256(JSON.stringify([inputs.persona.user, inputs.persona.home])),
    behaviour: {
      exerciseSeconds: behaviour.exerciseSeconds,
      graceSeconds: behaviour.graceSeconds,
      timeouts: [behaviour.timeouts.fetch, behaviour.timeouts.install, behaviour.timeouts.import],
      allowlist: sorted(behaviour.allowlist),
      allowNames: sorted(behaviour.allowNames),
      doNotScan: sorted(behaviour.doNotScan),
      passEnv: [...behaviour.passEnv].sort((a, b) => a.name.localeCompare(b.name)).map((entry) => [entry.name, entry.valueSha256 ?? null]),
    },
  };
  return sha256(JSON.stringify(canonical));
}

/** Digest of the parsed rule packs in load order (built-in, then `--rules`). */
/** What the packs decide: their rules and their exceptions to other rules. */
export function rulePacksDigest(packs: readonly RulePack[]): string {
  return sha256(JSON.stringify(packs.map((pack) => ({ name: pack.name, api: pack.api, rules: pack.rules, exceptions: pack.exceptions ?? [] }))));
}

/** The `--plugin` files by content, so an edited plugin never reuses a verdict the old one made. */
export function pluginFilesDigest(files: readonly string[]): string {
  return sha256(JSON.stringify(files.map((file) => sha256(readFileSync(file)))));
}

export function hostPersona(home: string): Persona {
  return { user: userName(), home };
}

/** A container's uid may have no passwd entry, where userInfo() throws. */
function userName(): string {
  try {
    return userInfo().username;
  } catch {
    return `uid ${process.getuid?.() ?? "unknown"}`;
  }
}

/** `--pass-env` as the key sees it: a digest of each value, never the value. */
export function passEnvDigests(names: readonly string[], env: Readonly<Record<string, string | undefined>>): BehaviourOptions["passEnv"] {
  return names.map((name) => {
    const value = env[name];
    return { name, valueSha256: value === undefined ? undefined : sha256(value) };
  });
}
