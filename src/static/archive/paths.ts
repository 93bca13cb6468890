import type { ArchiveIssue } from "./types.ts";

export type PathCheck = { ok: true; path: string } | { ok: false; issue: ArchiveIssue };

/**
 * Checks a stored entry name the way an extractor on any platform could interpret it: backslashes
 * count as separators, a drive letter or leading slash is absolute, and `..` may not leave the root.
 */
export function checkEntryPath(raw: string): PathCheck {
  const slashed = raw.replace(/\\/g, "/");
  if (slashed.startsWith("/") || /^[A-Za-z]:/.test(slashed)) {
    return { ok: false, issue: { problem: "absolute-path", file: raw, detail: `entry "${raw}" has an absolute path` } };
  }
  if (raw.includes("\0")) return { ok: false, issue: { problem: "corrupt", file: raw, detail: "entry name contains a NUL byte" } };
  const resolved = resolveSegments([], slashed);
  if (resolved === undefined) {
    return { ok: false, issue: { problem: "path-traversal", file: raw, detail: `entry "${raw}" points outside the archive` } };
  }
  return { ok: true, path: resolved.join("/") };
}

/**
 * Whether a link stays inside the archive. Symlink targets are relative to the link's folder;
 * hardlink targets (tar) name another member from the archive root.
 */
export function checkLinkTarget(entryPath: string, target: string, kind: "symlink" | "hardlink"): ArchiveIssue | undefined {
  const slashed = target.replace(/\\/g, "/");
  const describe = `${kind} "${entryPath}" points to "${target}"`;
  if (slashed.startsWith("/") || /^[A-Za-z]:/.test(slashed)) {
    return { problem: "link-outside", file: entryPath, detail: `${describe}, an absolute path outside the archive` };
  }
  const base = kind === "symlink" ? entryPath.split("/").slice(0, -1) : [];
  if (resolveSegments(base, slashed) === undefined) {
    return { problem: "link-outside", file: entryPath, detail: `${describe}, outside the archive` };
  }
  return undefined;
}

/** `a/./b/../c` → `a/c`; undefined when `..` climbs above the start. */
export function normalizeRelativePath(path: string): string | undefined {
  return resolveSegments([], path)?.join("/");
}

function resolveSegments(base: string[], path: string): string[] | undefined {
  const out = [...base];
  for (const segment of path.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") {
      if (out.length === 0) return undefined;
      out.pop();
    } else {
      out.push(segment);
    }
  }
  return out;
}
