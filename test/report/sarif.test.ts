import { describe, expect, test } from "bun:test";
import { renderSarif } from "../../src/report/sarif.ts";
import { subjectText } from "../../src/report/text.ts";
import type { BehaviouralFinding, StaticFinding } from "../../src/core/finding.ts";

function finding(overrides: Partial<BehaviouralFinding>): BehaviouralFinding {
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

describe("SARIF report", () => {
  test("maps severities to SARIF levels and lists each rule once", () => {
    const log = renderSarif(
      [finding({}), finding({ severity: "warn", subject: { kind: "access", path: "/root/.ssh/id_ed25519" } }), finding({ ruleId: "net", severity: "info", subject: { kind: "connection", address: "127.0.0.9", port: 4444 } })],
      "0.1.0",
    );
    const run = log.runs[0];
    expect(log.version).toBe("2.1.0");
    expect(run?.tool.driver.rules.map((rule) => rule.id)).toEqual(["ssh", "net"]);
    expect(run?.results.map((result) => result.level)).toEqual(["error", "warning", "note"]);
    expect(run?.results[2]?.message.text).toContain("connection to 127.0.0.9:4444 in package evilpack");
  });

  test("static findings carry file, line and snippet", () => {
    const staticFinding: StaticFinding = {
      source: "static",
      ruleId: "exec-decoded",
      severity: "block",
      description: "Execution of decoded data.",
      explanation: "Malware hides its payload in encoded strings.",
      package: "evilpack",
      phase: "static",
      subject: { kind: "code", file: "evilpack/__init__.py", line: 3, snippet: "exec(b64decode(x))" },
      artifactSha256: "ab".repeat(32),
    };
    const log = renderSarif([staticFinding], "0.1.0");
    expect(log.runs[0]?.results[0]?.properties).toEqual({ package: "evilpack", phase: "static", syscall: null, argv: null, sha256: "ab".repeat(32) });
    const physical = log.runs[0]?.results[0]?.locations[0]?.physicalLocation;
    expect(physical?.artifactLocation.uri).toBe("evilpack/__init__.py");
    expect(physical?.region?.startLine).toBe(3);
    expect(physical?.region?.snippet.text).toBe("exec(b64decode(x))");
  });

  test("an empty run is valid and has no results", () => {
    expect(renderSarif([], "0.1.0").runs[0]?.results).toEqual([]);
  });

  test("subject text names each kind", () => {
    expect(subjectText({ kind: "execution", argv: ["sh", "-c", "curl x"] })).toBe("execution of sh -c curl x");
    expect(subjectText({ kind: "connection", address: "::1", port: 443 })).toBe("connection to [::1]:443");
  });
});
