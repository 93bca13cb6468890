import { globProblem } from "./glob.ts";

/**
 * Path globs of behavioural rules and exceptions, in the dialect of src/core/glob.ts. They are
 * absolute (`/etc/shadow`), home-relative (`~`, `~/.ssh/**`) or relative to one of the run's own
 * directories (`$WORK/**`: the work dir with the venv and downloads; `$PYTHON/**`: the host
 * interpreter's installation), which exist only during a scan.
 */

/** Named roots a path glob may start with, each standing for zero or more directories of the run. */
const PATH_ROOTS = ["$WORK", "$PYTHON"] as const;
export type PathRootName = (typeof PATH_ROOTS)[number];
export type PathRoots = Partial<Record<PathRootName, readonly string[]>>;

/** Why a path glob is invalid, or undefined when it is fine. */
export function pathGlobProblem(glob: string): string | undefined {
  const root = glob.split("/")[0] ?? "";
  if (!(root === "" || root === "~" || (PATH_ROOTS as readonly string[]).includes(root))) {
    return `must start with '/', '~/' or one of ${PATH_ROOTS.map((name) => `'${name}/'`).join(", ")}`;
  }
  if (glob.includes("\0")) return "must not contain NUL";
  if (glob.split("/").some((segment) => segment === "." || segment === "..")) return "must not contain '.' or '..' segments";
  return globProblem(glob, "path");
}

/**
 * Expands `~` to the decoy home and a named root to each of its directories (none when the run has
 * none), and splits each result into segments (no leading empty segment).
 */
export function pathGlobSegments(glob: string, home: string, roots: PathRoots = {}): string[][] {
  const slash = glob.indexOf("/");
  const root = slash === -1 ? glob : glob.slice(0, slash);
  const rest = slash === -1 ? "" : glob.slice(slash);
  const bases = root === "" ? [""] : root === "~" ? [home] : roots[root as PathRootName] ?? [];
  return bases.map((base) => `${base.replace(/\/+$/, "")}${rest}`.split("/").filter((segment) => segment !== ""));
}

export function basename(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash === -1 ? path : path.slice(slash + 1);
}
