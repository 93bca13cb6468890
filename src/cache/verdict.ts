/**
 * What the verdict cache keeps: the complete result of one behavioural scan (install and import)
 * and how it is read back. Entries come from disk or from a shared store, so every field is checked
 * before anything in them is trusted; an entry that does not check out is treated as a miss.
 */
import type { Finding, FindingSubject } from "../core/finding.ts";
import { type Phase, PHASES } from "../core/phase.ts";
import { type Severity, SEVERITIES } from "../core/severity.ts";
import { isObject, type JsonObject } from "../core/json.ts";

/** One installed file of a cached verdict, matched by sha256 against the current run's artifacts. */
export interface VerdictArtifact {
  filename: string;
  sha256: string;
}

export interface VerdictDistribution {
  name: string;
  version: string;
  direct: boolean;
  artifacts: VerdictArtifact[];
}

export interface Verdict {
  /** Findings of the install and import phases, in the order seen. */
  findings: Finding[];
  /** True when a blocking finding stopped install or import. */
  blocked: boolean;
  /** What the install phase installed (empty when blocked). */
  installed: VerdictDistribution[];
  /** ISO 8601 time the behavioural scan finished. */
  madeAt: string;
  /** The pipcanary version that made it. */
  madeBy: string;
}

const ENTRY_FORMAT = "pipcanary-verdict-v1";

/** The serialised form: the key travels with the verdict so an entry filed under another key is refused. */
export function encodeVerdictEntry(key: string, verdict: Verdict): string {
  return JSON.stringify({ format: ENTRY_FORMAT, key, verdict });
}

export type DecodedEntry = { ok: true; verdict: Verdict } | { ok: false; reason: string };

/** Parses and checks an entry; `reason` says why it is not trusted. */
export function decodeVerdictEntry(key: string, text: string): DecodedEntry {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: "not valid JSON" };
  }
  if (!isObject(value) || value.format !== ENTRY_FORMAT) return { ok: false, reason: "not a pipcanary verdict entry of this format" };
  if (value.key !== key) return { ok: false, reason: "filed under another key" };
  const verdict = parseVerdict(value.verdict);
  return verdict ? { ok: true, verdict } : { ok: false, reason: "malformed verdict" };
}

const isString = (value: unknown): value is string => typeof value === "string";
const isStringArray = (value: unknown): value is string[] => Array.isArray(value) && value.every(isString);
const optionalString = (value: unknown): value is string | undefined => value === undefined || isString(value);
const isSeverity = (value: unknown): value is Severity => SEVERITIES.some((known) => known === value);
const isPhase = (value: unknown): value is Phase => PHASES.some((known) => known === value);
const SHA256 = /^[0-9a-f]{64}$/;

function parseVerdict(value: unknown): Verdict | undefined {
  if (!isObject(value)) return undefined;
  const { findings, blocked, installed, madeAt, madeBy } = value;
  if (typeof blocked !== "boolean" || !isString(madeAt) || Number.isNaN(Date.parse(madeAt)) || !isString(madeBy)) return undefined;
  if (!Array.isArray(findings) || !Array.isArray(installed)) return undefined;
  const parsedFindings = findings.map(parseFinding);
  const parsedInstalled = installed.map(parseDistribution);
  if (!allDefined(parsedFindings) || !allDefined(parsedInstalled)) return undefined;
  if (blocked !== parsedFindings.some((finding) => finding.severity === "block")) return undefined;
  return { findings: parsedFindings, blocked, installed: parsedInstalled, madeAt, madeBy };
}

function allDefined<T>(values: (T | undefined)[]): values is T[] {
  return values.every((value) => value !== undefined);
}

function parseDistribution(value: unknown): VerdictDistribution | undefined {
  if (!isObject(value)) return undefined;
  const { name, version, direct, artifacts } = value;
  if (!isString(name) || !isString(version) || typeof direct !== "boolean" || !Array.isArray(artifacts)) return undefined;
  const parsed = artifacts.map((artifact): VerdictArtifact | undefined =>
    isObject(artifact) && isString(artifact.filename) && isString(artifact.sha256) && SHA256.test(artifact.sha256) ? { filename: artifact.filename, sha256: artifact.sha256 } : undefined,
  );
  return allDefined(parsed) ? { name, version, direct, artifacts: parsed } : undefined;
}

function parseFinding(value: unknown): Finding | undefined {
  if (!isObject(value)) return undefined;
  const { ruleId, severity, description, explanation, phase, syscall, argv, artifactSha256 } = value;
  const pkg = value.package;
  const valid = isString(ruleId) && isSeverity(severity) && isString(description) && isString(explanation) && optionalString(pkg) && isPhase(phase);
  const subject = parseSubject(value.subject);
  if (!valid || !subject) return undefined;
  const base = { ruleId, severity, description, explanation, package: pkg, phase };
  switch (value.source) {
    case "behavioural":
      if (!optionalString(syscall) || !isStringArray(argv)) return undefined;
      if (subject.kind !== "access" && subject.kind !== "connection" && subject.kind !== "execution" && subject.kind !== "process") return undefined;
      return { ...base, source: "behavioural", subject, syscall, argv };
    case "static":
      if (!isString(artifactSha256) || (subject.kind !== "code" && subject.kind !== "archive")) return undefined;
      return { ...base, source: "static", subject, artifactSha256 };
    case "name":
      return subject.kind === "name" ? { ...base, source: "name", subject } : undefined;
    case "egress":
      if ((argv !== undefined && !isStringArray(argv)) || subject.kind !== "connection") return undefined;
      return { ...base, source: "egress", subject, argv };
    case "audit":
      return subject.kind === "known-malware" ? { ...base, source: "audit", subject } : undefined;
    default:
      return undefined;
  }
}

function parseSubject(value: unknown): FindingSubject | undefined {
  if (!isObject(value)) return undefined;
  const fields = value;
  switch (fields.kind) {
    case "access":
      return isString(fields.path) ? { kind: "access", path: fields.path } : undefined;
    case "connection":
      return isString(fields.address) && (fields.port === undefined || typeof fields.port === "number") ? { kind: "connection", address: fields.address, port: fields.port } : undefined;
    case "execution":
      return isStringArray(fields.argv) ? { kind: "execution", argv: fields.argv } : undefined;
    case "process":
      return isStringArray(fields.argv) && isString(fields.detail) ? { kind: "process", argv: fields.argv, detail: fields.detail } : undefined;
    case "code":
      return isString(fields.file) && (fields.line === undefined || typeof fields.line === "number") && isString(fields.snippet)
        ? { kind: "code", file: fields.file, line: fields.line, snippet: fields.snippet }
        : undefined;
    case "name":
      return isString(fields.name) && isString(fields.detail) ? { kind: "name", name: fields.name, detail: fields.detail } : undefined;
    case "archive":
      return isString(fields.file) && isString(fields.detail) ? { kind: "archive", file: fields.file, detail: fields.detail } : undefined;
    case "known-malware":
      return knownMalwareSubject(fields);
    default:
      return undefined;
  }
}

function knownMalwareSubject(fields: JsonObject): FindingSubject | undefined {
  const { id, version, summary, source, chain, checked } = fields;
  if (!isString(id) || !isString(version) || !optionalString(summary) || !isString(source) || !isStringArray(chain) || !isString(checked)) return undefined;
  return { kind: "known-malware", id, version, summary, source, chain, checked };
}
