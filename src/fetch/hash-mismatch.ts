import { ScanFailedError, formatOrigin } from "../core/errors.ts";
import type { RequirementSet } from "../core/requirements.ts";

/**
 * pip's hash-mismatch report names the requirements file pipcanary wrote for it; this names the
 * user's file:line instead (a requirements file or lock file), where the recorded hash is.
 * pip's entry: `    name==1.0 from URL (from -r …/requirements.txt (line N)):` then
 * `Expected sha256 …` and `Got …` lines.
 */
const ENTRY = /^\s+(\S+) from (\S+) \(from -r \S+ \(line (\d+)\)\):\s*$/;
const GOT = /^\s+Got\s+([0-9a-f]+)\s*$/;

export function hashMismatchError(output: string, set: RequirementSet): ScanFailedError | undefined {
  if (!output.includes("DO NOT MATCH THE HASHES")) return undefined;
  const written = set.requirements.filter((requirement) => !requirement.constraint);
  const lines = output.split("\n");
  const mismatches = lines.flatMap((line, position) => {
    const entry = ENTRY.exec(line);
    if (!entry) return [];
    const requirement = written[Number(entry[3]) - 1];
    const got = lines.slice(position + 1, position + 4).map((next) => GOT.exec(next)?.[1]).find((hash) => hash !== undefined);
    const where = requirement ? `${formatOrigin(requirement.origin)}: ` : "";
    return [`${where}${entry[1]}: ${entry[2]} has sha256 ${got ?? "(unknown)"}, which is not a hash recorded for it`];
  });
  if (mismatches.length === 0) return undefined;
  return new ScanFailedError(
    `downloaded files do not match the hashes of the input:\n  ${mismatches.join("\n  ")}`,
    "if the release was rebuilt on purpose, regenerate the lock or update the --hash; otherwise the index serves a file other than the one locked, which may be tampered with",
  );
}
