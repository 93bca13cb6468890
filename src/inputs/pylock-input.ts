import { parsePylock } from "./pylock-read.ts";
import { type LockInput, lockHash, pinnedRequirement } from "./lock-input.ts";
import { pushUnique } from "./requirements-file.ts";

/** PEP 751 pylock.toml as scan input: every package with its marker, file hashes and `index`. */
export function readPylockInput(text: string, shownAs: string): LockInput {
  const indexUrls: string[] = [];
  const requirements = parsePylock(text, shownAs).map((pkg) => {
    const origin = { file: shownAs, line: pkg.line };
    if (pkg.index !== undefined) pushUnique(indexUrls, pkg.index);
    return pinnedRequirement({ name: pkg.name, version: pkg.version, hashes: pkg.hashes.map((hash) => lockHash(hash, origin)), marker: pkg.marker, origin });
  });
  return { requirements, indexUrls };
}
