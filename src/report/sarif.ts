import type { Severity } from "../core/severity.ts";
import { type Exemptions, exemptionLines } from "./exemptions.ts";
import { type Finding, findingDetails } from "../core/finding.ts";
import { findingHeadline, subjectText } from "./text.ts";

/** SARIF 2.1.0, the format code-scanning dashboards import. Only the fields we can fill honestly. */
export interface SarifLog {
  $schema: string;
  version: "2.1.0";
  runs: SarifRun[];
}

interface SarifRun {
  tool: { driver: { name: string; version: string; informationUri: string; rules: SarifRule[] } };
  /** The run's exemptions as configuration notifications, so dashboards show them. */
  invocations?: Array<{ executionSuccessful: boolean; toolConfigurationNotifications: Array<{ level: SarifLevel; message: { text: string } }> }>;
  results: SarifResult[];
  properties?: { exemptions: Exemptions };
}

interface SarifRule {
  id: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  defaultConfiguration: { level: SarifLevel };
}

type SarifLevel = "error" | "warning" | "note";

interface SarifResult {
  ruleId: string;
  level: SarifLevel;
  message: { text: string };
  locations: Array<{ physicalLocation?: { artifactLocation: { uri: string }; region?: { startLine: number; snippet: { text: string } } }; logicalLocations?: Array<{ name: string; kind: string }> }>;
  properties: { package: string | null; phase: string; syscall: string | null; argv: string[] | null; sha256: string | null };
}

const LEVELS: Record<Severity, SarifLevel> = { block: "error", warn: "warning", info: "note" };

function location(finding: Finding): SarifResult["locations"][number] {
  const logical = [{ name: finding.package ?? "pip", kind: "package" }];
  const subject = finding.subject;
  if (subject.kind !== "code") return { logicalLocations: logical };
  const region = subject.line === undefined ? undefined : { startLine: subject.line, snippet: { text: subject.snippet } };
  return { physicalLocation: { artifactLocation: { uri: subject.file }, ...(region ? { region } : {}) }, logicalLocations: logical };
}

function message(finding: Finding): string {
  if (finding.subject.kind === "known-malware") {
    const { version, source, chain } = finding.subject;
    const pulled = chain.length > 0 ? ` Requirement chain: ${chain.join(" -> ")}.` : "";
    return `${findingHeadline(finding)} Version ${version}, record from ${source}. ${finding.description}${pulled}`;
  }
  return `Found suspicious ${subjectText(finding.subject)} in package ${finding.package ?? "(pip itself)"} during the ${finding.phase} phase. ${finding.description}`;
}

function exemptionFields(exemptions: Exemptions | undefined): Pick<SarifRun, "invocations" | "properties"> {
  if (!exemptions) return {};
  const notifications = exemptionLines(exemptions).map((text) => ({ level: "warning" as const, message: { text } }));
  return { invocations: [{ executionSuccessful: true, toolConfigurationNotifications: notifications }], properties: { exemptions } };
}

function result(finding: Finding): SarifResult {
  const { syscall, argv, artifactSha256 } = findingDetails(finding);
  return {
    ruleId: finding.ruleId,
    level: LEVELS[finding.severity],
    message: { text: message(finding) },
    locations: [location(finding)],
    properties: {
      package: finding.package ?? null,
      phase: finding.phase,
      syscall: syscall ?? null,
      argv: argv ?? null,
      sha256: artifactSha256 ?? null,
    },
  };
}

export function renderSarif(findings: readonly Finding[], version: string, exemptions?: Exemptions): SarifLog {
  const rules = new Map<string, SarifRule>();
  for (const finding of findings) {
    rules.set(finding.ruleId, {
      id: finding.ruleId,
      shortDescription: { text: finding.description },
      fullDescription: { text: finding.explanation },
      defaultConfiguration: { level: LEVELS[finding.severity] },
    });
  }
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: { driver: { name: "pipcanary", version, informationUri: "https://github.com/pipcanary/pipcanary", rules: [...rules.values()] } },
        ...exemptionFields(exemptions),
        results: findings.map(result),
      },
    ],
  };
}
