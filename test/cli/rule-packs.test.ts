/**
 * A rule pack named in [tool.pipcanary] may add rules but not except any: a change to a
 * repository's project file must not switch a detection off. The same pack given with --rules may,
 * and every exception it makes is printed with the report.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { exemptionLines, type Exemptions } from "../../src/report/exemptions.ts";
import { removeTempProjects, tempProject } from "../inputs/temp-project.ts";
import { runCli } from "./run-cli.ts";

afterEach(() => removeTempProjects());

const EXCEPTING_PACK = ["pack: org", "api: ^1.0.0", "rules: []", "exceptions:", "  - rule: egress", "    packages: ['*']", "    reason: everything may phone home", ""].join("\n");
const ADDING_PACK = [
  "pack: org",
  "api: ^1.0.0",
  "rules:",
  "  - id: org.netrc",
  "    type: dynamic",
  "    description: Reads .netrc.",
  "    explanation: Credentials.",
  "    severity: block",
  "    match:",
  "      events: [open]",
  "      paths: ['~/.netrc']",
  "",
].join("\n");

describe("rule packs named in [tool.pipcanary]", () => {
  test("one with exceptions: is refused (exit 1, the pack and the fix named); the same pack with --rules is accepted", async () => {
    const project = tempProject({ "pyproject.toml": '[tool.pipcanary]\nrules = ["org.yaml"]\n', "org.yaml": EXCEPTING_PACK, "requirements.txt": "calm==1.0\n" });
    const listing = await runCli(["rules"], { cwd: project.dir });
    // A scan loads its rules before anything is fetched: nothing listens on these ports.
    const scan = await runCli(["scan", "-r", "requirements.txt", "-i", "http://127.0.0.1:9/simple", "--osv-url", "http://127.0.0.1:9"], { cwd: project.dir });
    for (const fromProject of [listing, scan]) {
      expect(fromProject.code).toBe(1);
      expect(fromProject.stderr).toContain("org.yaml: a rule pack named in [tool.pipcanary] cannot carry 'exceptions:'");
      expect(fromProject.stderr).toContain("pass the pack on the command line (--rules FILE)");
    }
    const given = await runCli(["rules", "--rules", "org.yaml"], { cwd: project.dir });
    expect(given.code).toBe(0);
  });

  test("one that only adds rules is accepted and listed", async () => {
    const project = tempProject({ "pyproject.toml": '[tool.pipcanary]\nrules = ["org.yaml"]\n', "org.yaml": ADDING_PACK, "requirements.txt": "calm==1.0\n" });
    const run = await runCli(["rules"], { cwd: project.dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("org.netrc");
  });
});

test("every pack exception is printed with the report", () => {
  const none: Exemptions = { notImported: [], ignoredVulnerabilities: [], ignoredInThisRun: [], allowlisted: [], acceptedUploads: [], acceptedNames: [], coolDownDays: undefined, defaultCoolDownDays: 7, sources: [] };
  expect(exemptionLines(none)).toEqual([]);
  const excepted = { ...none, ruleExceptions: [{ rule: "egress", pack: "/p/org.yaml", packages: ["internal-*"], phases: ["fetch"], unattributed: undefined, reason: "our build fetches its schema" }] };
  expect(exemptionLines(excepted)).toEqual(["Rule egress excepted by /p/org.yaml for packages internal-*; phase fetch: our build fetches its schema."]);
});
