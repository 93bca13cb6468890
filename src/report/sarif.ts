/**
 * SARIF 2.1.0 as GitHub code scanning and other consumers accept it: every result has a physical
 * location at the input line that brought its package in, rules carry help text and a
 * `security-severity`, fingerprints are stable across runs, and the invocation says whether the
 * run could finish and, if not, why.
 */
import { pathToFileURL } from "node:url";
import { EXIT_CODE_HELP } from "../core/exit-codes.ts";
import { findingDetails } from "../core/finding.ts";
import type { Severity } from "../core/severity.ts";
import { exemptionLines } from "./exemptions.ts";
import { KNOWN_MALWARE_RULE } from "../audit/known-malware-text.ts";
import type { ReportFinding, ReportModel, RuleDescriptor } from "./model.ts";
import { subjectText } from "./text.ts";

type SarifLevel = "error" | "warning" | "note";

interface SarifMessage {
  text: string;
}

interface SarifNotification {
  level: SarifLevel;
  message: SarifMessage;
}

export interface SarifRule {
  id: string;
  name: string;
  shortDescription: SarifMessage;
  fullDescription: SarifMessage;
  help: SarifMessage & { markdown: string };
  defaultConfiguration: { level: SarifLevel };
  properties: { "security-severity": string; tags: string[]; precision: "high" | "medium" };
}

export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: SarifMessage;
  locations: Array<{
    physicalLocation: { artifactLocation: { uri: string; uriBaseId: string }; region: { startLine: number } };
    logicalLocations?: Array<{ name: string; kind: string }>;
  }>;
  partialFingerprints: Record<string, string>;
  properties: Record<string, unknown>;
}

export interface SarifInvocation {
  executionSuccessful: boolean;
  exitCode: number;
  exitCodeDescription: string;
  toolExecutionNotifications: SarifNotification[];
  toolConfigurationNotifications: SarifNotification[];
}

/** The base every root-relative artifact URI is resolved against (see SourceRoot in model.ts). */
const SOURCE_ROOT = "%SRCROOT%";

export interface SarifRun {
  tool: { driver: { name: string; version: string; semanticVersion: string; informationUri: string; rules: SarifRule[] } };
  originalUriBaseIds: Record<string, { uri: string; description: SarifMessage }>;
  invocations: SarifInvocation[];
  results: SarifResult[];
  properties: Record<string, unknown>;
}

export interface SarifLog {
  $schema: string;
  version: "2.1.0";
  runs: SarifRun[];
}

/** GitHub code scanning refuses an upload with more results than this in a run. */
export const MAX_SARIF_RESULTS = 25_000;

const SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
const FINGERPRINT_KEY = "pipcanaryFinding/v1";
const INFORMATION_URI = "https://github.com/pipcanary/pipcanary";
const LEVELS: Record<Severity, SarifLevel> = { block: "error", warn: "warning", info: "note" };

/** GitHub's scale: ≥ 9.0 critical, 7.0–8.9 high, 4.0–6.9 medium, below that low. */
function securitySeverity(rule: RuleDescriptor): string {
  if (rule.id === KNOWN_MALWARE_RULE) return "10.0";
  if (rule.kind === "vulnerability") return "7.5";
  if (rule.severity === "info") return "1.0";
  if (rule.severity === "warn") return "4.0";
  return rule.kind === "audit" ? "5.0" : "9.0";
}

function ruleHelp(rule: RuleDescriptor): string {
  switch (rule.kind) {
    case "vulnerability":
      return `${rule.explanation} Upgrade to a fixed release, or, once you have judged it does not affect you, pass --ignore-vuln ${rule.id}.`;
    case "audit":
      return `${rule.explanation} Pin an older release, wait until the cool-down has passed, or accept the upload with --allow-upload-time.`;
    default:
      return `${rule.explanation} Do not install the package until you know this is a false positive; pipcanary stops the scan at the first blocking finding. Rule type: ${rule.kind}.`;
  }
}

function sarifRule(rule: RuleDescriptor): SarifRule {
  const help = ruleHelp(rule);
  return {
    id: rule.id,
    name: rule.id.replace(/[^A-Za-z0-9]+(.)?/g, (_, next: string | undefined) => (next ?? "").toUpperCase()),
    shortDescription: { text: rule.description },
    fullDescription: { text: rule.explanation },
    help: { text: help, markdown: help },
    defaultConfiguration: { level: LEVELS[rule.severity] },
    properties: { "security-severity": securitySeverity(rule), tags: ["security", "supply-chain", rule.kind], precision: rule.kind === "audit" || rule.kind === "vulnerability" ? "high" : "medium" },
  };
}

function chainText(finding: ReportFinding): string {
  const location = finding.location;
  if (!location || location.chain.length === 0) return "";
  if (!location.chainKnown) return ` Pulled in by a dependency of the inputs; which direct requirement pulled it in is unknown, so it is shown at the first one (${location.chain[0]}).`;
  return location.chain.length > 1 ? ` Requirement chain: ${location.chain.join(" -> ")}.` : "";
}

function headline(finding: ReportFinding): string {
  const subject = finding.source?.subject;
  if (!subject) return finding.message;
  if (subject.kind === "known-malware") return `${finding.message} Version ${subject.version}, record from ${subject.source}.`;
  return `Found suspicious ${subjectText(subject)} in ${finding.package ? `package ${finding.package}` : "pip itself"} during the ${finding.phase} phase.`;
}

function resultMessage(finding: ReportFinding): string {
  return `${headline(finding)} ${finding.description}${chainText(finding)}`;
}

function resultProperties(finding: ReportFinding): Record<string, unknown> {
  const source = finding.source;
  return {
    kind: finding.kind,
    package: finding.package ?? null,
    version: finding.version ?? null,
    phase: finding.phase ?? null,
    sha256: finding.sha256,
    chain: finding.location?.chain ?? [],
    chainKnown: finding.location?.chainKnown ?? false,
    ...(source ? { syscall: findingDetails(source).syscall ?? null, argv: findingDetails(source).argv ?? null, subject: source.subject } : {}),
  };
}

function sarifResult(finding: ReportFinding, ruleIndex: number): SarifResult {
  const location = finding.location;
  return {
    ruleId: finding.ruleId,
    ruleIndex,
    level: LEVELS[finding.severity],
    message: { text: resultMessage(finding) },
    locations: location
      ? [
          {
            physicalLocation: { artifactLocation: { uri: location.uri, uriBaseId: SOURCE_ROOT }, region: { startLine: location.line } },
            ...(finding.package ? { logicalLocations: [{ name: finding.package, kind: "package" }] } : {}),
          },
        ]
      : [],
    partialFingerprints: { [FINGERPRINT_KEY]: finding.fingerprint },
    properties: resultProperties(finding),
  };
}

function invocation(model: ReportModel, dropped: number): SarifInvocation {
  const execution: SarifNotification[] = [];
  if (model.failure) execution.push({ level: "error", message: { text: `${model.failure.message}${model.failure.hint ? ` (${model.failure.hint})` : ""}` } });
  // Packages that could not be checked are why an audit ends with exit 3.
  for (const finding of model.findings.filter((candidate) => candidate.kind === "unchecked")) execution.push({ level: "error", message: { text: finding.message } });
  if (dropped > 0) execution.push({ level: "warning", message: { text: `${dropped} more results were left out: code scanning accepts at most ${MAX_SARIF_RESULTS}; the JSON report has them all.` } });
  const configuration = [
    ...(model.exemptions ? exemptionLines(model.exemptions) : []),
    ...model.skipped.map((skipped) => `Not scanned: ${skipped.name} (${skipped.reason}).`),
  ].map((text) => ({ level: "warning" as const, message: { text } }));
  return {
    executionSuccessful: model.failure === undefined && ["safe", "audit-findings", "malicious"].includes(model.verdict),
    exitCode: model.exitCode,
    exitCodeDescription: EXIT_CODE_HELP.find(([code]) => code === model.exitCode)?.[1] ?? model.verdict,
    toolExecutionNotifications: execution,
    toolConfigurationNotifications: configuration,
  };
}

/** The model as a SARIF log, one run. */
export function renderSarif(model: ReportModel): SarifLog {
  const rules = model.rules.map(sarifRule);
  const ruleIndex = new Map(rules.map((rule, index) => [rule.id, index]));
  const kept = model.findings.slice(0, MAX_SARIF_RESULTS);
  return {
    $schema: SARIF_SCHEMA,
    version: "2.1.0",
    runs: [
      {
        tool: { driver: { name: "pipcanary", version: model.tool.version, semanticVersion: model.tool.version, informationUri: INFORMATION_URI, rules } },
        originalUriBaseIds: { [SOURCE_ROOT]: { uri: pathToFileURL(`${model.sourceRoot.path}/`).href, description: { text: model.sourceRoot.kind === "git" ? "The top of the git work tree the inputs are in." : "The directory pipcanary ran in." } } },
        invocations: [invocation(model, model.findings.length - kept.length)],
        results: kept.map((finding) => sarifResult(finding, ruleIndex.get(finding.ruleId) ?? -1)),
        properties: {
          command: model.command,
          verdict: model.verdict,
          exemptions: model.exemptions ?? null,
          skipped: model.skipped,
          installed: model.installed ?? null,
        },
      },
    ],
  };
}

export function formatSarif(model: ReportModel): string {
  return `${JSON.stringify(renderSarif(model), null, 2)}\n`;
}
