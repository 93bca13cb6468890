/**
 * Glob syntax shared by rules and exceptions.
 * - Path globs are absolute (`/etc/shadow`), home-relative (`~`, `~/.ssh/**`) or relative to one of
 *   the run's own directories (`$WORK/**`: the work dir with the venv and downloads; `$PYTHON/**`: the
 *   host interpreter's installation), which exist only during a scan. Segments may use
 *   `*` (any run of characters but `/`), `?` (one character) and `[abc]`/`[!abc]`; a segment that is
 *   exactly `**` matches zero or more whole segments, so `~/.aws/**` matches `~/.aws` itself and
 *   everything below it, but never `~`.
 * - Name globs (programs, packages) use the same `*`/`?`/`[…]`.
 * - Argv globs run over the arguments joined by single spaces: `*` and `?` stay within one
 *   argument (no space), `**` spans any number of arguments. `* -c **` is "a program whose first
 *   argument is -c", and does not match `bash script -c x`.
 */

/** Named roots a path glob may start with, each standing for zero or more directories of the run. */
const PATH_ROOTS = ["$WORK", "$PYTHON"] as const;
export type PathRootName = (typeof PATH_ROOTS)[number];
export type PathRoots = Partial<Record<PathRootName, readonly string[]>>;

/** Why a glob is invalid, or undefined when it is fine. */
export function pathGlobProblem(glob: string): string | undefined {
  const root = glob.split("/")[0] ?? "";
  if (!(root === "" || root === "~" || (PATH_ROOTS as readonly string[]).includes(root))) {
    return `must start with '/', '~/' or one of ${PATH_ROOTS.map((name) => `'${name}/'`).join(", ")}`;
  }
  if (glob.includes("\0")) return "must not contain NUL";
  for (const segment of glob.split("/")) {
    if (segment === "." || segment === "..") return "must not contain '.' or '..' segments";
    if (segment.includes("**") && segment !== "**") return "'**' must be a whole segment";
    const problem = classProblem(segment);
    if (problem) return problem;
  }
  return undefined;
}

export function nameGlobProblem(glob: string): string | undefined {
  return classProblem(glob);
}

function classProblem(text: string): string | undefined {
  let open = false;
  for (const ch of text) {
    if (ch === "[") {
      if (open) return "nested '[' in a character class";
      open = true;
    } else if (ch === "]") {
      open = false;
    }
  }
  return open ? "unclosed '[' character class" : undefined;
}

export function hasWildcard(text: string): boolean {
  return /[*?[]/.test(text);
}

/** Regex source for a name glob (`*` stops at `/`) or an argv glob (`*` stops at a space, `**` does not). */
function globToRegexSource(glob: string, argv: boolean): string {
  const star = argv ? "[^ ]*" : "[^/]*";
  const one = argv ? "[^ ]" : "[^/]";
  let out = "";
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i] ?? "";
    if (ch === "*" && argv && glob[i + 1] === "*") {
      out += "[\\s\\S]*";
      i++;
    } else if (ch === "*") out += star;
    else if (ch === "?") out += one;
    else if (ch === "[") {
      const close = glob.indexOf("]", i + 1);
      if (close === -1) {
        out += "\\[";
        continue;
      }
      let body = glob.slice(i + 1, close);
      const negate = body.startsWith("!") || body.startsWith("^");
      if (negate) body = body.slice(1);
      out += `[${negate ? "^" : ""}${body.replace(/[\\\]^]/g, "\\$&")}]`;
      i = close;
    } else out += ch.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  return out;
}

export function compileNameGlob(glob: string): RegExp {
  return new RegExp(`^(?:${globToRegexSource(glob, false)})$`);
}

export function compileArgvGlob(glob: string): RegExp {
  return new RegExp(`^(?:${globToRegexSource(glob, true)})$`);
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
