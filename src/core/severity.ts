/** How a finding acts: `block` stops the scan, `warn` is reported, `info` only with --log-level debug. */
export type Severity = "block" | "warn" | "info";
export const SEVERITIES: readonly Severity[] = ["block", "warn", "info"];
