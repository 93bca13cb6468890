/** Plugins in a real sandboxed scan: a syscall hook's blocking finding stops the sandbox, a throwing hook fails the scan closed. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { definePlugin } from "../../src/plugins/api.ts";
import { PluginFailedError } from "../../src/plugins/host.ts";
import { runScan } from "../../src/run/orchestrator.ts";
import { EventStream, type Stage } from "../../src/events/stream.ts";
import { project, requirementSet, scanOptions, startIndex, waitForNoProcesses } from "../e2e/helpers.ts";
import { useTempDirs } from "../harness/temp.ts";
import type { IndexServer } from "../harness/types.ts";
import { buildWheel } from "../harness/wheel.ts";

const SCAN_TIMEOUT_MS = 120_000;
const tempDir = useTempDirs("pipcanary-plugin-scan");
let index: IndexServer;

beforeAll(async () => {
  index = await startIndex([project("hosts-reader", "1.0", buildWheel({ name: "hosts-reader", version: "1.0", files: { "hosts_reader/__init__.py": "open('/etc/hosts').read()\n" } }))]);
});
afterAll(async () => {
  await index.stop();
});

async function expectNothingLeft(parent: string): Promise<void> {
  expect(await waitForNoProcesses(parent)).toEqual([]);
  expect(readdirSync(parent)).toEqual([]);
}

describe("plugins in a sandboxed scan", () => {
  test("an onSyscall finding of block severity stops the sandbox in that phase", async () => {
    const parent = tempDir("block");
    const stages: Stage[] = [];
    const events = new EventStream();
    events.on("stage-start", ({ stage }) => stages.push(stage));
    const hostsPlugin = definePlugin({
      name: "no-hosts",
      api: "^1.0.0",
      rules: [{ id: "t.no-hosts", severity: "block", description: "Reads /etc/hosts.", explanation: "Test rule." }],
      onSyscall: ({ event, attribution }) =>
        event.kind === "open" && event.path === "/etc/hosts" && attribution.package === "hosts-reader"
          ? [{ ruleId: "t.no-hosts", package: attribution.package, subject: { kind: "access", path: event.path }, syscall: event.syscall, argv: attribution.argv }]
          : [],
    });
    const result = await runScan(requirementSet(index, ["hosts-reader"]), scanOptions(parent), { plugins: [hostsPlugin], events });
    expect(result.blocked).toBe(true);
    expect(result.findings.map(({ ruleId, package: name, phase }) => ({ ruleId, name, phase }))).toEqual([{ ruleId: "t.no-hosts", name: "hosts-reader", phase: "import" }]);
    expect(stages).toEqual(["fetch", "static", "install", "import"]);
    await expectNothingLeft(parent);
  }, SCAN_TIMEOUT_MS);

  test("a hook that throws during a phase fails the scan with the plugin named, and nothing is left", async () => {
    const parent = tempDir("throw");
    const broken = definePlugin({
      name: "broken",
      api: "^1.0.0",
      rules: [],
      onSyscall: ({ event }) => {
        if (event.kind === "exec") throw new Error("cannot reach the policy service");
      },
    });
    const error = await runScan(requirementSet(index, ["hosts-reader"]), scanOptions(parent), { plugins: [broken] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PluginFailedError);
    expect((error as PluginFailedError).message).toBe("plugin broken failed in onSyscall: cannot reach the policy service");
    await expectNothingLeft(parent);
  }, SCAN_TIMEOUT_MS);
});
