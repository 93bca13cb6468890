import { normalizeName } from "../core/names.ts";
import type { Lowering } from "../rules/static-schema.ts";
import type { Severity } from "../core/severity.ts";

/**
 * Packages whose purpose is handling credentials: reading ~/.aws/credentials or ~/.ssh/id_rsa is
 * their job. Findings of rules marked `lowering: credential` drop one level for them.
 */
const CREDENTIAL_PACKAGES: readonly string[] = [
  "keyring", "keyrings.alt", "boto3", "botocore", "aiobotocore", "awscli", "s3fs", "paramiko", "asyncssh", "fabric",
  "google-auth", "google-auth-oauthlib", "google-cloud-storage", "google-cloud-bigquery", "google-cloud-core", "gcsfs",
  "azure-identity", "azure-cli-core", "msal", "msal-extensions", "kubernetes", "docker", "twine", "hvac", "ansible-core",
  "databricks-sdk", "snowflake-connector-python",
];

export interface AllowlistPolicy {
  credential: ReadonlySet<string>;
  user: ReadonlySet<string>;
}

/** `user` comes from `--allowlist NAME` or `[tool.pipcanary] allowlist`; names are normalised. */
export function makeAllowlistPolicy(user: readonly string[]): AllowlistPolicy {
  return { credential: new Set(CREDENTIAL_PACKAGES.map(normalizeName)), user: new Set(user.map(normalizeName)) };
}

function lowerOnce(severity: Severity): Severity {
  return severity === "block" ? "warn" : "info";
}

export interface PolicyOutcome {
  severity: Severity;
  /** Why the severity was lowered, for the report. */
  lowered: string | undefined;
}

/** Lowers by exactly one level when an allowlist applies; never-lower rules keep their severity. */
export function applyAllowlist(severity: Severity, lowering: Lowering, packageName: string, policy: AllowlistPolicy): PolicyOutcome {
  const name = normalizeName(packageName);
  if (lowering === "never") return { severity, lowered: undefined };
  if (policy.user.has(name)) return { severity: lowerOnce(severity), lowered: `${name} is on your static allowlist` };
  if (lowering === "credential" && policy.credential.has(name)) {
    return { severity: lowerOnce(severity), lowered: `${name} handles credentials by design (built-in allowlist)` };
  }
  return { severity, lowered: undefined };
}
