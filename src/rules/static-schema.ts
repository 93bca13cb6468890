import type { StaticCondition } from "./types.ts";
import { type FieldContext, type Raw, fail, isRecord, readString } from "./validate.ts";

/** Validates the `match` block of a static rule. The static stage defines which facts exist. */
export function parseStaticCondition(ctx: FieldContext, raw: Raw): StaticCondition {
  const fact = readString(ctx, raw, "fact");
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key === "fact") continue;
    if (value === null || (isRecord(value) && Object.keys(value).length === 0)) fail(ctx, `match.${key}`, "must not be empty");
    fields[key] = value;
  }
  return { fact, fields };
}
