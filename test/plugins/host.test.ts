import { describe, expect, test } from "bun:test";
import { InputError } from "../../src/core/errors.ts";
import type { Finding } from "../../src/core/finding.ts";
import { EventStream } from "../../src/events/stream.ts";
import { definePlugin, PLUGIN_API_VERSION, type Plugin } from "../../src/plugins/api.ts";
import { egressPlugin } from "../../src/plugins/builtin/egress.ts";
import { onlyBinaryPlugin } from "../../src/plugins/builtin/only-binary.ts";
import { PluginFailedError, PluginHost } from "../../src/plugins/host.ts";
import { checkPlugin } from "../../src/plugins/load.ts";
import { artifact, egress, requirement } from "./fixtures.ts";

const RULE = { id: "t.rule", severity: "warn", description: "Test rule.", explanation: "Because." } as const;

function plugin(hooks: Partial<Plugin>): Plugin {
  return definePlugin({ name: "t", api: "^1.0.0", rules: [RULE], ...hooks });
}

/** A stream with a running phase that keeps what is reported into it. */
function phaseStream(): { events: EventStream; reported: Finding[] } {
  const events = new EventStream();
  const reported: Finding[] = [];
  events.enter({ phase: "fetch", report: (finding) => reported.push(finding), stop: () => {} });
  return { events, reported };
}

describe("plugin host", () => {
  test("an onArtifact finding gets its rule's severity, texts, the static phase and the archive's sha256", async () => {
    const host = new PluginHost([plugin({ onArtifact: (file) => [{ ruleId: RULE.id, package: file.name, subject: { kind: "archive", file: "demo/__init__.py", detail: "x" } }] })]);
    const [found] = await host.artifacts([artifact("demo")]);
    expect(found).toEqual({
      source: "static",
      ruleId: RULE.id,
      severity: "warn",
      description: RULE.description,
      explanation: RULE.explanation,
      package: "demo",
      phase: "static",
      subject: { kind: "archive", file: "demo/__init__.py", detail: "x" },
      artifactSha256: "ab".repeat(32),
    });
  });

  test("an onRequirements finding is a name finding of the static phase, with the hook's severity and the rule's texts", async () => {
    const host = new PluginHost([
      plugin({ onRequirements: (requirements) => requirements.map((requirement) => ({ ruleId: RULE.id, package: requirement.normalizedName, severity: "block", subject: { kind: "name", name: requirement.name, detail: "x" } })) }),
    ]);
    expect(await host.requirements([requirement("Demo")])).toEqual([
      { source: "name", ruleId: RULE.id, severity: "block", description: RULE.description, explanation: RULE.explanation, package: "demo", phase: "static", subject: { kind: "name", name: "Demo", detail: "x" } },
    ]);
    const failing = new PluginHost([
      plugin({
        onRequirements: () => {
          throw new Error("policy service down");
        },
      }),
    ]);
    await expect(failing.requirements([requirement("demo")])).rejects.toThrow("plugin t failed in onRequirements: policy service down");
  });

  test("a hook that throws fails the scan naming the plugin and the hook", async () => {
    const host = new PluginHost([
      plugin({
        onArtifact: () => {
          throw new Error("allowlist unreadable");
        },
      }),
    ]);
    const error = await host.artifacts([artifact("demo")]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PluginFailedError);
    expect((error as PluginFailedError).message).toBe("plugin t failed in onArtifact: allowlist unreadable");
    expect((error as PluginFailedError).exitCode).toBe(2);
  });

  test("a finding with a rule id the plugin did not declare fails the scan", async () => {
    const host = new PluginHost([plugin({ onArtifact: () => [{ ruleId: "undeclared", package: undefined, subject: { kind: "name", name: "x", detail: "" } }] })]);
    await expect(host.artifacts([artifact("demo")])).rejects.toThrow("plugin t failed in a hook: it reported rule id undeclared, which it does not declare in rules");
  });

  test("a throwing live hook stops the phase and the stream fails with the plugin named", () => {
    const { events } = phaseStream();
    let stopped = 0;
    events.enter({ phase: "fetch", report: () => {}, stop: () => stopped++ });
    new PluginHost([
      plugin({
        onEgress: () => {
          throw new Error("boom");
        },
      }),
    ]).attach(events);
    events.publish("egress", egress("evil.example", 443, "demo"));
    expect(stopped).toBe(1);
    expect(() => events.throwIfFailed()).toThrow("plugin t failed in onEgress: boom");
  });

  test("two plugins declaring one rule id are refused", () => {
    expect(() => new PluginHost([plugin({}), plugin({ name: "u" })])).toThrow(InputError);
  });

  test("setup failures name the plugin", async () => {
    const host = new PluginHost([
      plugin({
        setup: () => {
          throw new Error("no allowlist");
        },
      }),
    ]);
    await expect(host.setup()).rejects.toThrow("plugin t failed in setup: no allowlist");
  });
});

describe("plugin shape and api range", () => {
  test("a plugin for this API passes, one for another major version or with a bad shape is an input error naming the fix", () => {
    expect(checkPlugin(plugin({}), "t.ts").name).toBe("t");
    expect(PLUGIN_API_VERSION).toBe("1.1.0");
    // 1.1.0 added onRequirements: a plugin written for 1.0.0 still loads, one for 1.2.0 does not.
    expect(checkPlugin({ ...plugin({}), api: "^1.1.0" }, "t.ts").api).toBe("^1.1.0");
    expect(() => checkPlugin({ ...plugin({}), api: "^1.2.0" }, "t.ts")).toThrow("plugin t (t.ts) needs plugin API ^1.2.0, and this pipcanary implements plugin API 1.1.0");
    expect(() => checkPlugin({ ...plugin({}), api: "^2.0.0" }, "t.ts")).toThrow("plugin t (t.ts) needs plugin API ^2.0.0, and this pipcanary implements plugin API 1.1.0");
    expect(() => checkPlugin({ ...plugin({}), api: "one" }, "t.ts")).toThrow("api 'one' is not a semver range");
    expect(() => checkPlugin({ name: "t", api: "^1.0.0", rules: [{ id: "x" }], onRequirements: [], onEgress: 3 }, "t.ts")).toThrow(
      "plugin t.ts is not a pipcanary plugin: rules[0] needs id, severity (block | warn | info), description and explanation; `onRequirements` must be a function; `onEgress` must be a function",
    );
  });
});

describe("built-in plugins", () => {
  test("egress: package code blocks with its real destination, pip's refused request warns, pip's allowed one is no finding", () => {
    const { events, reported } = phaseStream();
    new PluginHost([egressPlugin]).attach(events);
    events.publish("egress", egress("127.0.0.1", 8080, undefined, true));
    events.publish("egress", egress("files.example", 443, undefined, false));
    events.publish("egress", egress("127.0.0.9", 4444, "evil", true));
    expect(reported.map(({ ruleId, severity, package: name, subject }) => ({ ruleId, severity, name, subject }))).toEqual([
      { ruleId: "egress-refused", severity: "warn", name: undefined, subject: { kind: "connection", address: "files.example", port: 443 } },
      { ruleId: "egress", severity: "block", name: "evil", subject: { kind: "connection", address: "127.0.0.9", port: 4444 } },
    ]);
  });

  test("only-binary refuses the sdists of the named projects and nothing else", async () => {
    const host = new PluginHost([onlyBinaryPlugin(["demo"])]);
    const found = await host.artifacts([artifact("demo", "sdist"), artifact("demo"), artifact("other", "sdist")]);
    expect(found.map(({ ruleId, severity, package: name, subject }) => ({ ruleId, severity, name, subject }))).toEqual([
      { ruleId: "static.only-binary", severity: "block", name: "demo", subject: { kind: "archive", file: "demo-1.0.tar.gz", detail: "source distribution while --only-binary is set" } },
    ]);
    expect(found[0]?.explanation).toStartWith("demo 1.0 is only available here as a source distribution");
    expect(await new PluginHost([onlyBinaryPlugin([":all:"])]).artifacts([artifact("other", "sdist")])).toHaveLength(1);
  });
});
