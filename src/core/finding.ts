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

type SubjectOf<K extends FindingSubject["kind"]> = Extract<FindingSubject, { kind: K }>;

/** What every kind of finding says. */
export interface FindingBase {
  ruleId: string;
  severity: Severity;
  description: string;
  explanation: string;
  /** Normalised distribution name; undefined when pip itself tripped the rule. */
  package: string | undefined;
  phase: Phase;
}

/** A traced process did something a rule forbids, or something worth a note (it lingered, it ran out of time). */
export interface BehaviouralFinding extends FindingBase {
  source: "behavioural";
  subject: SubjectOf<"access" | "connection" | "execution" | "process">;
  /** The syscall, e.g. "openat"; undefined for notes about a process as a whole. */
  syscall: string | undefined;
  /** argv of the offending process. */
  argv: string[];
}

/** A static rule matched a file of a downloaded archive, or the archive itself. */
export interface StaticFinding extends FindingBase {
  source: "static";
  subject: SubjectOf<"code" | "archive">;
  artifactSha256: string;
}

/** A requirement's name looks like another project's (homoglyphs, typosquatting). */
export interface NameFinding extends FindingBase {
  source: "name";
  subject: SubjectOf<"name">;
}

/** A request through the fetch phase's egress proxy, with its real destination. */
export interface EgressFinding extends FindingBase {
  source: "egress";
  subject: SubjectOf<"connection">;
  /** argv of the process the request was traced to, when it was. */
  argv: string[] | undefined;
}

/** A release the audit's data names (known malware). */
export interface AuditFinding extends FindingBase {
  source: "audit";
  subject: SubjectOf<"known-malware">;
}

export type Finding = BehaviouralFinding | StaticFinding | NameFinding | EgressFinding | AuditFinding;

/** The fields every report prints flat, whichever kind of finding it is. */
export interface FindingDetails {
  syscall: string | undefined;
  argv: string[] | undefined;
  artifactSha256: string | undefined;
}

export function findingDetails(finding: Finding): FindingDetails {
  switch (finding.source) {
    case "behavioural":
      return { syscall: finding.syscall, argv: finding.argv, artifactSha256: undefined };
    case "static":
      return { syscall: undefined, argv: undefined, artifactSha256: finding.artifactSha256 };
    case "egress":
      return { syscall: "connect", argv: finding.argv, artifactSha256: undefined };
    case "name":
    case "audit":
      return { syscall: undefined, argv: undefined, artifactSha256: undefined };
  }
}
