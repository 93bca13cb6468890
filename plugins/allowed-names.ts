/**
 * Blocks every dependency whose name is not on the organisation's allowlist before any of its
 * code runs: a requirement the user named before anything is fetched (so a disallowed sdist's
 * setup.py never runs, not even in the sandbox), a transitive dependency as soon as it is
 * downloaded, before the static scan.
 *
 * The allowlist: ALLOWED_NAMES_FILE (one name per line, `#` comments) and/or
 * ALLOWED_NAMES (names separated by commas or spaces). Names are compared
 * normalised (PEP 503: case, `-`, `_` and `.` do not matter).
 *
 *   ALLOWED_NAMES_FILE=allowed.txt pipcanary --plugin plugins/allowed-names.ts -r requirements.txt
 */
import { readFileSync } from "node:fs";
import { definePlugin } from "pipcanary/plugin";

const RULE_ID = "org.allowed-names";

function normalize(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, "-");
}

function namesIn(text: string): string[] {
  return text
    .split("\n")
    .map((line) => line.replace(/#.*/, "").trim())
    .flatMap((line) => line.split(/[\s,]+/))
    .filter((name) => name !== "");
}

const allowed = new Set<string>();

function refused(name: string, detail: string) {
  return [{ ruleId: RULE_ID, package: normalize(name), subject: { kind: "name" as const, name, detail } }];
}

export default definePlugin({
  name: "allowed-names",
  api: "^1.1.0",
  rules: [
    {
      id: RULE_ID,
      severity: "block",
      description: "Dependency not on the organisation's allowlist.",
      explanation: "Only packages on the internal allowlist may be installed; ask for the package to be reviewed and added to it.",
    },
  ],
  setup({ env }) {
    allowed.clear();
    const file = env.ALLOWED_NAMES_FILE;
    const names = [...namesIn(env.ALLOWED_NAMES ?? ""), ...(file ? namesIn(readFileSync(file, "utf8")) : [])];
    if (names.length === 0) throw new Error("no allowlist: set ALLOWED_NAMES_FILE or ALLOWED_NAMES");
    for (const name of names) allowed.add(normalize(name));
  },
  onRequirements(requirements) {
    // Constraint lines select nothing: a constrained name that nothing needs is never fetched.
    return requirements
      .filter((requirement) => !requirement.constraint && !allowed.has(normalize(requirement.name)))
      .flatMap((requirement) => refused(requirement.name, `${requirement.origin.file}:${requirement.origin.line}: not on the allowlist`));
  },
  onArtifact(artifact) {
    if (allowed.has(normalize(artifact.name))) return [];
    return refused(artifact.name, `${artifact.filename} is not on the allowlist`);
  },
});
