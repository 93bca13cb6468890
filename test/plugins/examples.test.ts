/** The example plugins of plugins/, loaded as `--plugin` loads them, hooks called with the events a scan publishes. */
import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { PluginHost } from "../../src/plugins/host.ts";
import { loadPluginFile } from "../../src/plugins/load.ts";
import { EventStream } from "../../src/events/stream.ts";
import type { Finding } from "../../src/core/finding.ts";
import { useTempDirs } from "../harness/temp.ts";
import { artifact, egress, requirement } from "./fixtures.ts";

const PLUGINS = join(import.meta.dir, "..", "..", "plugins");
const tempDir = useTempDirs("pipcanary-plugins");

async function withEnv<T>(env: Record<string, string>, run: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
  Object.assign(process.env, env);
  try {
    return await run();
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

describe("plugins/allowed-names.ts", () => {
  test("a dependency on the allowlist file passes, one that is not blocks, names compared normalised", async () => {
    const list = join(tempDir("allowed"), "allowed.txt");
    writeFileSync(list, "# reviewed\nRequests\nzope.interface\n");
    const found = await withEnv({ ALLOWED_NAMES_FILE: list }, async () => {
      const host = new PluginHost([await loadPluginFile(join(PLUGINS, "allowed-names.ts"))]);
      await host.setup();
      return host.artifacts([artifact("requests"), artifact("zope-interface"), artifact("reqeusts")]);
    });
    expect(found.map(({ ruleId, severity, package: name }) => ({ ruleId, severity, name }))).toEqual([{ ruleId: "org.allowed-names", severity: "block", name: "reqeusts" }]);
  });

  test("onRequirements refuses a requirement off the list before anything is fetched; constraint lines select nothing and pass", async () => {
    const found = await withEnv({ ALLOWED_NAMES: "requests, Zope.Interface" }, async () => {
      const host = new PluginHost([await loadPluginFile(join(PLUGINS, "allowed-names.ts"))]);
      await host.setup();
      return host.requirements([requirement("Requests"), requirement("zope_interface"), requirement("reqeusts", { line: 4 }), requirement("urllib3", { constraint: true })]);
    });
    expect(found.map(({ ruleId, severity, phase, package: name, subject }) => ({ ruleId, severity, phase, name, subject }))).toEqual([
      { ruleId: "org.allowed-names", severity: "block", phase: "static", name: "reqeusts", subject: { kind: "name", name: "reqeusts", detail: "requirements.txt:4: not on the allowlist" } },
    ]);
  });

  test("without an allowlist the plugin fails its setup instead of letting everything through", async () => {
    await withEnv({ ALLOWED_NAMES: "" }, async () => {
      const host = new PluginHost([await loadPluginFile(join(PLUGINS, "allowed-names.ts"))]);
      await expect(host.setup()).rejects.toThrow("plugin allowed-names failed in setup: no allowlist");
    });
  });
});

describe("plugins/company-egress.ts", () => {
  async function reported(env: Record<string, string>): Promise<Finding[]> {
    return withEnv(env, async () => {
      const host = new PluginHost([await loadPluginFile(join(PLUGINS, "company-egress.ts"))]);
      await host.setup();
      const events = new EventStream();
      const found: Finding[] = [];
      events.enter({ phase: "fetch", report: (finding) => found.push(finding), stop: () => {} });
      host.attach(events);
      events.publish("egress", egress("pypi.corp.example", 443, undefined));
      events.publish("egress", egress("files.pythonhosted.org", 443, undefined));
      events.publish("egress", egress("127.0.0.1", 8080, "demo"));
      return found;
    });
  }

  test("requests to a host other than the company index are findings, by pip or by package code", async () => {
    const found = await reported({ COMPANY_INDEX_HOSTS: "pypi.corp.example", COMPANY_EGRESS_SEVERITY: "block" });
    expect(found.map(({ ruleId, severity, package: name, subject }) => ({ ruleId, severity, name, subject }))).toEqual([
      { ruleId: "org.company-egress", severity: "block", name: undefined, subject: { kind: "connection", address: "files.pythonhosted.org", port: 443 } },
      { ruleId: "org.company-egress", severity: "block", name: "demo", subject: { kind: "connection", address: "127.0.0.1", port: 8080 } },
    ]);
  });

  test("host:port entries and the warn severity", async () => {
    const found = await reported({ COMPANY_INDEX_HOSTS: "pypi.corp.example, files.pythonhosted.org 127.0.0.1:8080", COMPANY_EGRESS_SEVERITY: "warn" });
    expect(found).toEqual([]);
    const warned = await reported({ COMPANY_INDEX_HOSTS: "pypi.corp.example", COMPANY_EGRESS_SEVERITY: "warn" });
    expect(warned.map((finding) => finding.severity)).toEqual(["warn", "warn"]);
  });
});
