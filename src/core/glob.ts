/**
 * The one glob dialect of rule packs, behavioural and static (documented in rules/README.md):
 * - `*` any run of characters that stays within one unit of the field, `?` one such character,
 * - `[abc]`, `[a-z]`, `[!abc]` (or `[^abc]`) one character of (not of) the set,
 * - `**` any run of characters across units; in path fields it must be a whole segment and
 *   matches zero or more whole segments (`~/.aws/**` covers `~/.aws` and everything below it),
 * - everything else is literal.
 * The unit depends on what the field holds: a path segment (paths, files, unix socket addresses),
 * one argument (argv, joined by single spaces), one printable string (strings of compiled files),
 * or the whole value (names, text), where `**` means the same as `*`. Text fields (string
 * constants, commands, arguments, strings of compiled files) ignore case; all others do not.
 */
export type GlobField = "path" | "argv" | "name" | "text" | "binary";

/** Characters `*` and `?` may match, per field. */
const UNIT: Record<GlobField, string> = {
  path: "[^/]",
  argv: "[^ ]",
  name: "[\\s\\S]",
  text: "[\\s\\S]",
  binary: "[\\x20-\\x7e\\t]",
};

export function hasWildcard(text: string): boolean {
  return /[*?[]/.test(text);
}

/** Why a glob is not valid in `field`, or undefined when it is fine. */
export function globProblem(glob: string, field: GlobField): string | undefined {
  let open = false;
  for (const ch of glob) {
    if (ch === "[") {
      if (open) return "nested '[' in a character class";
      open = true;
    } else if (ch === "]") {
      open = false;
    }
  }
  if (open) return "unclosed '[' character class";
  if (/\[[!^]?\]/.test(glob)) return "empty character class";
  if (field === "path" && glob.split("/").some((segment) => segment.includes("**") && segment !== "**")) return "'**' must be a whole segment";
  return undefined;
}

/**
 * Regex source (no anchors, no flags) for one glob. Understood identically by JavaScript and
 * Python `re`, because the static fact extractor receives call-name globs in this form.
 */
export function globSource(glob: string, field: GlobField): string {
  if (field === "path") return pathSource(glob);
  const unit = UNIT[field];
  // Strings of compiled files are searched, not anchored: the shortest run keeps the search linear.
  const star = field === "binary" ? `${unit}*?` : `${unit}*`;
  let out = "";
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i] as string;
    if (ch === "*" && glob[i + 1] === "*") {
      out += field === "argv" ? "[\\s\\S]*" : star;
      i++;
    } else if (ch === "*") {
      out += star;
    } else {
      const [source, next] = atom(glob, i, unit);
      out += source;
      i = next;
    }
  }
  return out;
}

/** `**` segments match zero or more whole segments, so `a/**` also matches `a`, and `**\/b` matches `b`. */
function pathSource(glob: string): string {
  const segments = glob.split("/");
  let out = "";
  segments.forEach((segment, index) => {
    const last = index === segments.length - 1;
    if (segment === "**") {
      if (segments.length === 1) out += "[\\s\\S]*";
      else if (last) out = `${out.replace(/\\\/$/, "")}(?:\\/[\\s\\S]*)?`;
      else out += "(?:[\\s\\S]*\\/)?";
      return;
    }
    let part = "";
    for (let i = 0; i < segment.length; i++) {
      const ch = segment[i] as string;
      if (ch === "*") {
        part += "[^/]*";
      } else {
        const [source, next] = atom(segment, i, "[^/]");
        part += source;
        i = next;
      }
    }
    out += last ? part : `${part}\\/`;
  });
  return out;
}

/** Source for `?`, a character class or a literal at `i`, and the index of its last character. */
function atom(glob: string, i: number, unit: string): [string, number] {
  const ch = glob[i] as string;
  if (ch === "?") return [unit, i];
  if (ch === "[") {
    const close = glob.indexOf("]", i + 1);
    if (close !== -1) {
      let body = glob.slice(i + 1, close);
      const negate = body.startsWith("!") || body.startsWith("^");
      if (negate) body = body.slice(1);
      return [`[${negate ? "^" : ""}${body.replace(/[\\\]^[]/g, "\\$&")}]`, close];
    }
  }
  return [ch.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&"), i];
}

/** An anchored regex for one glob; text fields ignore case. */
export function compileGlob(glob: string, field: GlobField): RegExp {
  return new RegExp(`^(?:${globSource(glob, field)})$`, field === "text" ? "i" : "");
}

/** The literal runs of a glob (outside wildcards and classes), for cheap pre-filters. */
export function literalRuns(glob: string): string[] {
  const runs: string[] = [];
  let run = "";
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i] as string;
    if (ch === "*" || ch === "?" || (ch === "[" && glob.indexOf("]", i + 1) !== -1)) {
      if (run) runs.push(run);
      run = "";
      if (ch === "[") i = glob.indexOf("]", i + 1);
    } else {
      run += ch;
    }
  }
  if (run) runs.push(run);
  return runs;
}

/** Several globs of one field behind one regex. */
export interface GlobSet {
  readonly globs: readonly string[];
  test(value: string): boolean;
}

const NEVER: GlobSet = { globs: [], test: () => false };

export function compileGlobSet(globs: readonly string[] | undefined, field: GlobField): GlobSet {
  if (!globs || globs.length === 0) return NEVER;
  const regex = new RegExp(`^(?:${globs.map((glob) => globSource(glob, field)).join("|")})$`, field === "text" ? "i" : "");
  return { globs, test: (value) => regex.test(value) };
}
