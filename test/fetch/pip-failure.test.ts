import { describe, expect, test } from "bun:test";
import { IndexAnswerError, ScanFailedError } from "../../src/core/errors.ts";
import { ExitCode } from "../../src/core/exit-codes.ts";
import type { RequirementSet } from "../../src/core/requirements.ts";
import { type FetchFailure, fetchFailureError } from "../../src/fetch/pip-failure.ts";
import { requirement } from "../e2e/helpers.ts";

const PATH = "/tmp/tmpabcdefgh/work/requirements.txt";
const A = "a".repeat(64);
const B = "b".repeat(64);
const C = "c".repeat(64);

function failure(output: string, set?: RequirementSet): FetchFailure {
  return {
    output,
    set: set ?? { requirements: [], index: { indexUrl: "https://pypi.org/simple", extraIndexUrls: [], findLinks: [], pre: false, onlyBinary: [] } },
    requirementsPath: PATH,
    attempts: [],
    what: "the requirements",
  };
}

describe("what a failed pip download is blamed on", () => {
  test("a hash pinned by the user, one of several, names the user's file:line, not pipcanary's file", async () => {
    const set: RequirementSet = {
      requirements: [
        { ...requirement("urllib3", "<3"), constraint: true },
        requirement("first"),
        { ...requirement("Flask", "==3.0.0"), hashes: [`sha256:${A}`, `sha256:${B}`], origin: { file: "requirements/prod.txt", line: 12 } },
      ],
      index: { indexUrl: undefined, extraIndexUrls: [], findLinks: [], pre: false, onlyBinary: [] },
    };
    const output = [
      "ERROR: THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE. If you have updated the package versions, please update the hashes.",
      `    flask==3.0.0 from https://files.pythonhosted.org/packages/x/flask-3.0.0-py3-none-any.whl (from -r ${PATH} (line 2)):`,
      `        Expected sha256 ${A}`,
      `             or     ${B}`,
      `             Got        ${C}`,
    ].join("\n");
    const error = await fetchFailureError(failure(output, set));
    expect(error).toBeInstanceOf(IndexAnswerError);
    expect(error.exitCode).toBe(ExitCode.IndexUnreachable);
    expect(error.message).toBe(`requirements/prod.txt:12: flask-3.0.0-py3-none-any.whl from files.pythonhosted.org does not match the hash pinned for Flask (got sha256:${C})`);
  });

  test("a retried server error over HTTPS names the host from the connection pool", async () => {
    const output = "pip._vendor.requests.exceptions.RetryError: HTTPSConnectionPool(host='files.example.org', port=443): Max retries exceeded with url: /packages/pkg-1.0.tar.gz (Caused by ResponseError('too many 503 error responses'))";
    const error = await fetchFailureError(failure(output));
    expect(error.message).toBe("files.example.org:443 answered HTTP 503 for pkg-1.0.tar.gz, also when pip asked again");
    expect(error.exitCode).toBe(ExitCode.IndexUnreachable);
  });

  test("a status pip does not retry, and a connection that broke off mid-download", async () => {
    const status = await fetchFailureError(failure("ERROR: HTTP error 502 while getting http://mirror.example/files/pkg-1.0.whl"));
    expect(status.message).toBe("mirror.example answered HTTP 502 for pkg-1.0.whl");
    const broken = await fetchFailureError(failure("  Downloading http://mirror.example/files/big-2.0.whl (10 MB)\nurllib3.exceptions.ProtocolError: ('Connection broken: IncompleteRead(100 bytes read, 900 more expected)', IncompleteRead(100 bytes read))"));
    expect(broken.message).toBe("the download of big-2.0.whl from mirror.example broke off: IncompleteRead(100 bytes read, 900 more expected)");
  });

  test("the egress proxy's refusal of a host that is no index is explained as that, not as the index's error", async () => {
    const refused = { ...failure("ERROR: HTTP error 403 while getting http://elsewhere.example/pkg-1.0.whl"), attempts: [{ host: "elsewhere.example", port: 80, allowed: false, method: "GET", url: "http://elsewhere.example/pkg-1.0.whl", peerPort: undefined }] };
    const error = await fetchFailureError(refused);
    expect(error).toBeInstanceOf(ScanFailedError);
    expect(error.hint).toContain("pip was refused elsewhere.example:80");
  });

  test("anything else keeps pip's own words", async () => {
    const error = await fetchFailureError(failure("ERROR: Could not find a version that satisfies the requirement pkg>=9 (from versions: 1.0, 2.0)\nERROR: No matching distribution found for pkg>=9"));
    expect(error).toBeInstanceOf(ScanFailedError);
    expect(error.message).toContain("No matching distribution found for pkg>=9");
    expect(error.hint).toBe("check the requirement names, versions and index options");
  });
});
