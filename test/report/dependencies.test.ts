import { describe, expect, test } from "bun:test";
import type { IndexClient } from "../../src/index/client.ts";
import { releaseDependencies } from "../../src/report/dependencies.ts";
import { buildReportModel } from "../../src/report/model.ts";
import { pin } from "../audit/seed-fixtures.ts";

type Lookup = Awaited<ReturnType<IndexClient["versionMetadata"]>>;

/** An index that knows the Requires-Dist of a few releases and fails for one. */
const index: Pick<IndexClient, "versionMetadata"> = {
  versionMetadata: async (name: string): Promise<Lookup> => {
    if (name === "broken") throw new Error("unreachable");
    const requiresDist = ({ Flask: ["Werkzeug>=3.1", "itsdangerous ; python_version >= '3.9'", "asgiref>=3.2 ; extra == 'async'"], werkzeug: ["MarkupSafe>=2.1.1"] } as Record<string, string[]>)[name];
    if (!requiresDist) return { status: "not-found" } as Lookup;
    return { status: "found", value: { name, files: [], vulnerabilities: undefined, requiresDist }, index: "http://127.0.0.1/simple" } as Lookup;
  },
};

describe("dependencies from the index's metadata", () => {
  test("Requires-Dist names, normalised; releases the index cannot describe are left out", async () => {
    const map = await releaseDependencies(index, [
      { name: "Flask", version: "3.1.2" },
      { name: "werkzeug", version: "3.1.3" },
      { name: "markupsafe", version: "3.0.3" },
      { name: "broken", version: "1" },
    ]);
    expect([...map]).toEqual([
      ["flask", ["werkzeug", "itsdangerous", "asgiref"]],
      ["werkzeug", ["markupsafe"]],
    ]);
  });

  test("a package two steps down is located at the direct requirement, with the whole chain", async () => {
    const dependencies = await releaseDependencies(index, [{ name: "Flask", version: "3.1.2" }, { name: "werkzeug", version: "3.1.3" }]);
    const model = buildReportModel({
      command: "scan",
      version: "0",
      exitCode: 5,
      cwd: "/p",
      requirements: [pin("requests", "2.0", 1, "/p/requirements.txt"), pin("Flask", "3.1.2", 4, "/p/requirements.txt")],
      findings: [{ source: "behavioural", ruleId: "ssh", severity: "block", description: "d", explanation: "e", package: "markupsafe", phase: "import", subject: { kind: "access", path: "/x" }, syscall: undefined, argv: [] }],
      dependencies,
    });
    expect(model.findings[0]?.location).toEqual({ file: "requirements.txt", uri: "requirements.txt", line: 4, chain: ["/p/requirements.txt:4 Flask==3.1.2", "werkzeug", "markupsafe"], chainKnown: true });
  });
});
