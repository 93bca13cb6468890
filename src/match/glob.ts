/**
 * Glob syntax shared by rules and exceptions.
 * - Path globs are absolute (`/etc/shadow`), home-relative (`~`, `~/.ssh/**`) or venv-relative
 *   (`$VENV/**`, the scan's virtual environment; see MatchContext). Segments may use
 *   `*` (any run of characters but `/`), `?` (one character) and `[abc]`/`[!abc]`; a segment that is
 *   exactly `**` matches zero or more whole segments, so `~/.aws/**` matches `~/.aws` itself and
 *   everything below it, but never `~`.
 * - Name globs (programs, packages) use the same `*`/`?`/`[…]`.
 * - Argv globs run over the arguments joined by single spaces: `*` and `?` stay within one
 *   argument (no space), `**` spans any number of arguments. `* -c **` is "a program whose first
 *   argument is -c", and does not match `bash script -c x`.
 */

/** Stands for the scan's venv at the start of a path glob (`$VENV/**`). */
export const VENV_ANCHOR = "$VENV";

/** Why a glob is invalid, or undefined when it is fine. */
export function pathGlobProblem(glob: string): string | undefined {
  const anchored = glob === "~" || glob.startsWith("~/") || glob === VENV_ANCHOR || glob.startsWith(`${VENV_ANCHOR}/`);
  if (!(glob.startsWith("/") || anchored)) return "must start with '/', '~/' or '$VENV/'";
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
export function globToRegexSource(glob: string, argv: boolean): string {
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

/** Expands `~` to the decoy home and splits into segments (no leading empty segment). */
export function pathGlobSegments(glob: string, home: string): string[] {
  const absolute = glob === "~" ? home : glob.startsWith("~/") ? `${home.replace(/\/+$/, "")}${glob.slice(1)}` : glob;
  return absolute.split("/").filter((segment) => segment !== "");
}

export function basename(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash === -1 ? path : path.slice(slash + 1);
}
