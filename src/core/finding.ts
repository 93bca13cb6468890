import type { Phase } from "./phase.ts";
import type { Severity } from "./severity.ts";

/** What a finding is about, which decides the seed sentence: "Found suspicious <kind> of/to …". */
export type FindingSubject =
  | { kind: "access"; path: string }
  | { kind: "connection"; address: string; port: number | undefined }
  | { kind: "execution"; argv: string[] }
  | { kind: "code"; file: string; line: number | undefined; snippet: string }
  | { kind: "name"; name: string; detail: string }
  | { kind: "archive"; file: string; detail: string }
  | { kind: "process"; argv: string[]; detail: string }
  /** A release an OSV `MAL-` record names, refused by name and version; `checked` says when. */
  | { kind: "known-malware"; id: string; version: string; summary: string | undefined; source: string; chain: string[]; checked: string };

/** One rule hit, static or behavioural. */
export interface Finding {
  ruleId: string;
  severity: Severity;
  description: string;
  explanation: string;
  /** Normalised distribution name; undefined when pip itself tripped the rule. */
  package: string | undefined;
  phase: Phase;
  subject: FindingSubject;
  /** The syscall for behavioural findings, e.g. "openat". */
  syscall: string | undefined;
  /** argv of the offending process for behavioural findings. */
  argv: string[] | undefined;
  /** sha256 of the archive for static findings. */
  artifactSha256: string | undefined;
}
