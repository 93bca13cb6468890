import type { Severity } from "../core/severity.ts";

/**
 * The audit's own rules, for the reports and `pipcanary rules`. Known vulnerabilities are reported
 * under their advisory ids (PYSEC-…, GHSA-…), which come from the databases and are not listed.
 * Packs cannot except these: `--allow-known-malware`, `--allow-upload-time` and `--ignore-vuln`
 * are the documented, printed ways to accept an audit finding.
 */
export interface AuditRule {
  id: string;
  severity: Severity;
  description: string;
  explanation: string;
}

export const KNOWN_MALWARE: AuditRule = {
  id: "known-malware",
  severity: "block",
  description: "Known malware.",
  explanation: "An OSV MAL- record names this release as malicious.",
};

export const COOL_DOWN: AuditRule = {
  id: "cool-down",
  severity: "block",
  description: "Upload younger than the cool-down.",
  explanation: "Malicious uploads are usually found and removed within days of their upload.",
};

export const AUDIT_UNCHECKED: AuditRule = {
  id: "audit-unchecked",
  severity: "warn",
  description: "Audit data missing.",
  explanation: "The index or the vulnerability data could not be had for this package.",
};

export const AUDIT_RULES: readonly AuditRule[] = [KNOWN_MALWARE, COOL_DOWN, AUDIT_UNCHECKED];
