import type { DynamicCondition, DynamicRule, RuleException } from "../../src/rules/types.ts";
import type { Severity } from "../../src/core/severity.ts";

/** A dynamic rule with every unset condition left open, for matcher tests and the benchmark. */
export function makeRule(
  id: string,
  match: Partial<DynamicCondition> & Pick<DynamicCondition, "events">,
  options: { severity?: Severity; except?: Array<Partial<RuleException>> } = {},
): DynamicRule {
  return {
    id,
    type: "dynamic",
    description: `${id} description.`,
    explanation: `${id} explanation.`,
    severity: options.severity ?? "block",
    source: { file: "test.yaml", pack: "test", line: 1 },
    except: (options.except ?? []).map((e) => ({
      phases: undefined, paths: undefined, packages: undefined, programs: undefined, files: undefined, reason: "test", ...e,
    })),
    match: {
      phases: undefined, paths: undefined, notPaths: undefined, flags: undefined, families: undefined, addresses: undefined,
      ports: undefined, programs: undefined, argv: undefined, syscalls: undefined, packageOnly: true, ...match,
    },
  };
}
