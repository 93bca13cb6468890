/** What can be wrong with an archive itself; each becomes an `archive` fact and, through the rules, a finding. */
export type ArchiveProblem =
  | "path-traversal"
  | "absolute-path"
  | "link-outside"
  | "special-file"
  | "too-many-entries"
  | "too-large"
  | "compression-bomb"
  | "size-mismatch"
  | "overlapping-entries"
  | "unsupported-entry"
  | "encrypted"
  | "corrupt";

export const ARCHIVE_PROBLEMS: readonly ArchiveProblem[] = [
  "path-traversal", "absolute-path", "link-outside", "special-file", "too-many-entries", "too-large",
  "compression-bomb", "size-mismatch", "overlapping-entries", "unsupported-entry", "encrypted", "corrupt",
];
