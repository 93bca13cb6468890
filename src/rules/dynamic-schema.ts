import { EVENT_KINDS, PHASES } from "../trace/events.ts";
import type { DynamicCondition } from "./types.ts";
import { type FieldContext, type Raw, fail, readBoolean, readEnumList, readNumberList, readStringList, rejectUnknownKeys } from "./validate.ts";

const KNOWN = ["events", "phases", "paths", "flags", "families", "addresses", "ports", "programs", "argv", "package_only"] as const;

export function parseDynamicCondition(ctx: FieldContext, raw: Raw): DynamicCondition {
  rejectUnknownKeys(ctx, raw, KNOWN, "match.");
  const events = readEnumList(ctx, raw, "events", EVENT_KINDS);
  if (!events) fail(ctx, "match.events", "is required: the event kinds this rule looks at");
  return {
    events,
    phases: readEnumList(ctx, raw, "phases", PHASES),
    paths: readStringList(ctx, raw, "paths"),
    flags: readStringList(ctx, raw, "flags"),
    families: readEnumList(ctx, raw, "families", ["inet", "inet6", "unix", "netlink", "other"] as const),
    addresses: readStringList(ctx, raw, "addresses"),
    ports: readNumberList(ctx, raw, "ports"),
    programs: readStringList(ctx, raw, "programs"),
    argv: readStringList(ctx, raw, "argv"),
    packageOnly: readBoolean(ctx, raw, "package_only", true),
  };
}
