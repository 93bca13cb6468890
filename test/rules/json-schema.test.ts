import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { rulePackJsonSchema } from "../../src/rules/json-schema.ts";

test("rules/rule-pack.schema.json is current (regenerate: bun run scripts/rule-pack-schema.ts)", () => {
  const shipped = readFileSync(join(import.meta.dir, "..", "..", "rules", "rule-pack.schema.json"), "utf8");
  expect(shipped).toBe(`${JSON.stringify(rulePackJsonSchema(), null, 2)}\n`);
});
