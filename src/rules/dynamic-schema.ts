import { type GlobField, globProblem } from "../core/glob.ts";
import { pathGlobProblem } from "../core/path-glob.ts";
import { parseAddressPattern } from "../core/cidr.ts";
import { EVENT_KINDS, type EventKind } from "../trace/events.ts";
import { PHASES } from "../core/phase.ts";
import type { DynamicCondition } from "./types.ts";
import { type FieldContext, type Raw, fail, readBoolean, readEnumList, readNumberList, readStringList, rejectUnknownKeys } from "./validate.ts";

export const DYNAMIC_MATCH_KEYS = ["events", "phases", "paths", "not_paths", "flags", "families", "addresses", "ports", "programs", "argv", "syscalls", "package_only"] as const;
export const SOCKET_FAMILIES = ["inet", "inet6", "unix", "netlink", "other"] as const;

/** The glob check of one field. */
export function fieldProblem(field: GlobField): (glob: string) => string | undefined {
  return (glob) => globProblem(glob, field);
}

/** Reads a list of globs and rejects any that would never match or not compile. */
export function readGlobList(
  ctx: FieldContext, raw: Raw, field: string, problemOf: (glob: string) => string | undefined,
): string[] | undefined {
  const list = readStringList(ctx, raw, field);
  for (const glob of list ?? []) {
    const problem = problemOf(glob);
    if (problem) fail(ctx, field, `'${glob}' ${problem}`);
  }
  return list;
}

export function parseDynamicCondition(rule: FieldContext, raw: Raw): DynamicCondition {
  const ctx: FieldContext = { ...rule, prefix: "match." };
  rejectUnknownKeys(ctx, raw, DYNAMIC_MATCH_KEYS);
  const events = readEnumList(ctx, raw, "events", EVENT_KINDS);
  if (!events) fail(ctx, "events", "is required: the event kinds this rule looks at");
  const addresses = readStringList(ctx, raw, "addresses");
  for (const text of addresses ?? []) {
    const parsed = parseAddressPattern(text);
    if (typeof parsed === "string") fail(ctx, "addresses", parsed);
  }
  const flags = readStringList(ctx, raw, "flags");
  for (const flag of flags ?? []) {
    if (!/^O_[A-Z0-9_]+$/.test(flag)) fail(ctx, "flags", `'${flag}' is not an open flag like O_WRONLY`);
  }
  const condition: DynamicCondition = {
    events,
    phases: readEnumList(ctx, raw, "phases", PHASES),
    paths: readGlobList(ctx, raw, "paths", pathGlobProblem),
    notPaths: readGlobList(ctx, raw, "not_paths", pathGlobProblem),
    flags,
    families: readEnumList(ctx, raw, "families", SOCKET_FAMILIES),
    addresses,
    ports: readNumberList(ctx, raw, "ports"),
    programs: readGlobList(ctx, raw, "programs", fieldProblem("name")),
    argv: readGlobList(ctx, raw, "argv", fieldProblem("argv")),
    syscalls: readGlobList(ctx, raw, "syscalls", fieldProblem("name")),
    packageOnly: readBoolean(ctx, raw, "package_only", true),
  };
  if (condition.notPaths && !condition.paths) fail(ctx, "not_paths", "only narrows match.paths, which is not set");
  requireKinds(ctx, condition, "programs", ["exec"]);
  requireKinds(ctx, condition, "argv", ["exec"]);
  requireKinds(ctx, condition, "flags", ["open"]);
  requireKinds(ctx, condition, "families", SOCKET_KINDS);
  requireKinds(ctx, condition, "addresses", SOCKET_KINDS);
  requireKinds(ctx, condition, "ports", SOCKET_KINDS);
  return condition;
}

const SOCKET_KINDS: readonly EventKind[] = ["connect", "bind", "sendto"];

/** A condition that no listed event kind can satisfy would silently disable the rule. */
function requireKinds(ctx: FieldContext, condition: DynamicCondition, field: keyof DynamicCondition, kinds: readonly EventKind[]): void {
  if (condition[field] === undefined) return;
  if (!condition.events.some((kind) => kinds.includes(kind))) {
    fail(ctx, field, `only applies to ${kinds.join("/")} events, and match.events lists none of them`);
  }
}
