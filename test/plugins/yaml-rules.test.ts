/** The YAML engines as built-in plugins: the packs' rules in the one list of rule ids that plugins share. */
import { describe, expect, test } from "bun:test";
import { ruleDescriptors } from "../../src/cli/rules-command.ts";
import { InputError } from "../../src/core/errors.ts";
import { definePlugin } from "../../src/plugins/api.ts";
import { yamlPlugins } from "../../src/plugins/builtin/yaml-rules.ts";
import { PluginHost } from "../../src/plugins/host.ts";
import { loadRuleSet } from "../../src/rules/rule-set.ts";

const ruleSet = loadRuleSet();
const SSH_CLAIM = { id: "ssh", severity: "warn", description: "d", explanation: "e" } as const;
const claimsSsh = definePlugin({ name: "mine", api: "^1.0.0", rules: [SSH_CLAIM] });

describe("yaml-behaviour and yaml-static", () => {
  test("declare the packs' behavioural and static rules, by kind, with their severity and texts", () => {
    const [behaviour, statics] = yamlPlugins(ruleSet.rules);
    expect(behaviour?.name).toBe("builtin:yaml-behaviour");
    expect(behaviour?.rules.map((rule) => rule.id)).toEqual(ruleSet.dynamic.map((rule) => rule.id));
    expect(statics?.name).toBe("builtin:yaml-static");
    expect(statics?.rules.map((rule) => rule.id)).toEqual(ruleSet.static.map((rule) => rule.id));
    const ssh = ruleSet.dynamic.find((rule) => rule.id === "ssh");
    expect(ssh).toBeDefined();
    expect(behaviour?.rules.find((rule) => rule.id === "ssh")).toEqual({ id: "ssh", severity: ssh?.severity ?? "info", description: ssh?.description ?? "", explanation: ssh?.explanation ?? "" });
  });

  test("pipcanary rules still lists pack rules by pack and file, before the plugins' rules and the audit's", () => {
    const listed = ruleDescriptors([]);
    expect(listed.slice(0, ruleSet.rules.length).map(({ id, type, from }) => ({ id, type, from }))).toEqual(ruleSet.rules.map((rule) => ({ id: rule.id, type: rule.type, from: rule.source.file })));
    expect([...new Set(listed.slice(ruleSet.rules.length).map((rule) => rule.type))]).toEqual(["plugin", "audit"]);
  });

  test("a plugin rule id that a pack rule already has is refused, by `rules` and by the plugin host", () => {
    expect(() => ruleDescriptors([], [claimsSsh])).toThrow("rule id ssh is declared by plugin builtin:yaml-behaviour and by plugin mine");
    expect(() => new PluginHost([...yamlPlugins(ruleSet.rules), claimsSsh])).toThrow(InputError);
    expect(() => new PluginHost([...yamlPlugins(ruleSet.rules), { ...claimsSsh, rules: [{ ...SSH_CLAIM, id: "org.ssh" }] }])).not.toThrow();
  });
});
