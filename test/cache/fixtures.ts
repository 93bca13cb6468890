import type { Finding } from "../../src/core/finding.ts";
import { sshFinding } from "../report/finding-fixture.ts";
import type { Verdict } from "../../src/cache/verdict.ts";

export const SHA_A = "a".repeat(64);
export const SHA_B = "b".repeat(64);

export const IMPORT_FINDING: Finding = sshFinding({
  package: "canary-stealer",
  subject: { kind: "access", path: "/root/.ssh/id_rsa" },
  argv: ["/tmp/tmpx/work/venv/bin/python", "-c", "import canary_stealer"],
});

export const WARNING: Finding = {
  source: "behavioural",
  ruleId: "env-token",
  severity: "warn",
  description: "Reads a token variable.",
  explanation: "It looks at GITHUB_TOKEN.",
  package: "tqdm",
  phase: "import",
  subject: { kind: "connection", address: "127.0.0.9", port: 4444 },
  syscall: "connect",
  argv: ["/usr/bin/python3"],
};

export function safeVerdict(madeBy = "pipcanary 0.1.0"): Verdict {
  return {
    findings: [WARNING],
    blocked: false,
    installed: [{ name: "tqdm", version: "4.66.0", direct: true, artifacts: [{ filename: "tqdm-4.66.0-py3-none-any.whl", sha256: SHA_A }] }],
    madeAt: "2026-11-29T18:00:00.000Z",
    madeBy,
  };
}

export function blockedVerdict(): Verdict {
  return { findings: [IMPORT_FINDING], blocked: true, installed: [], madeAt: "2026-11-29T18:00:00.000Z", madeBy: "pipcanary 0.1.0" };
}

/** A secret long enough for PIPCANARY_CACHE_KEY. */
export const SECRET = "0123456789abcdef0123456789abcdef";
