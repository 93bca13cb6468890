import type { BehaviouralFinding } from "../../src/core/finding.ts";

/** The seeds' SSH-key finding in package evilpack, with whatever a test changes. */
export function sshFinding(overrides: Partial<BehaviouralFinding> = {}): BehaviouralFinding {
  return {
    source: "behavioural",
    ruleId: "ssh",
    severity: "block",
    description: "SSH private key exfiltration.",
    explanation: "The package might be trying to steal your Secure Shell private keys.",
    package: "evilpack",
    phase: "import",
    subject: { kind: "access", path: "/root/.ssh/id_rsa" },
    syscall: "openat",
    argv: ["python", "-c", "import evilpack"],
    ...overrides,
  };
}
