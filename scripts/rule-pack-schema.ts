/** Writes rules/rule-pack.schema.json from the rule-pack validator's key lists and enums. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { rulePackJsonSchema } from "../src/rules/json-schema.ts";

writeFileSync(join(import.meta.dir, "..", "rules", "rule-pack.schema.json"), `${JSON.stringify(rulePackJsonSchema(), null, 2)}\n`);
