import { PHASES } from "../core/phase.ts";
import { SEVERITIES } from "../core/severity.ts";
import { ARCHIVE_PROBLEMS } from "../core/archive-problem.ts";
import { EVENT_KINDS } from "../trace/events.ts";
import { DYNAMIC_MATCH_KEYS, SOCKET_FAMILIES } from "./dynamic-schema.ts";
import { EXCEPTION_KEYS, RULE_KEYS } from "./loader.ts";
import {
  ARCHIVE_KINDS, BINARY_LAYOUTS, BLOB_ENCODINGS, LOWERINGS, PTH_FORMS, SOURCE_SCOPES, STATIC_FACT_KINDS, STATIC_MATCH_KEYS, type StaticFactKind,
} from "./static-schema.ts";

/**
 * The JSON Schema of a rule pack, for editors (rules/rule-pack.schema.json, kept current by a
 * test). Built from the same key lists and enums as the validator, which stays the authority: it
 * also checks what a JSON Schema cannot say (globs, addresses, which fields need which events).
 */
type Schema = Record<string, unknown>;

const STRING_LIST: Schema = { $ref: "#/$defs/stringList" };
const enumList = (values: readonly string[]): Schema => ({ anyOf: [{ enum: values }, { type: "array", minItems: 1, items: { enum: values } }] });
const BOOLEAN: Schema = { type: "boolean" };

const DYNAMIC_FIELDS: Record<string, Schema> = {
  events: enumList(EVENT_KINDS),
  phases: enumList(PHASES),
  families: enumList(SOCKET_FAMILIES),
  ports: { anyOf: [{ $ref: "#/$defs/port" }, { type: "array", items: { $ref: "#/$defs/port" } }] },
  package_only: BOOLEAN,
};

const STATIC_FIELDS: Record<string, Schema> = {
  scopes: enumList(SOURCE_SCOPES),
  problems: enumList(ARCHIVE_PROBLEMS),
  archives: enumList(ARCHIVE_KINDS),
  forms: enumList(PTH_FORMS),
  encodings: enumList(BLOB_ENCODINGS),
  layouts: enumList(BINARY_LAYOUTS),
  min_length: { type: "integer", minimum: 16 },
  tested: BOOLEAN,
  docstrings: BOOLEAN,
  prose: BOOLEAN,
  import_time: BOOLEAN,
  whole: BOOLEAN,
};

const STATIC_REQUIRED: Partial<Record<StaticFactKind, string>> = { file: "paths", string: "values", attribute: "names", "binary-string": "strings" };

function fields(keys: readonly string[], known: Record<string, Schema>): Record<string, Schema> {
  return Object.fromEntries(keys.map((key) => [key, known[key] ?? STRING_LIST]));
}

function staticMatch(kind: StaticFactKind): Schema {
  const required = STATIC_REQUIRED[kind];
  return {
    type: "object",
    properties: { fact: { const: kind }, lowering: { enum: LOWERINGS }, ...fields(STATIC_MATCH_KEYS[kind], STATIC_FIELDS) },
    required: required ? ["fact", required] : ["fact"],
    additionalProperties: false,
  };
}

export function rulePackJsonSchema(): Schema {
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    title: "pipcanary rule pack",
    description: "Generated from src/rules/json-schema.ts; see rules/README.md.",
    type: "object",
    properties: {
      pack: { type: "string", minLength: 1 },
      api: { type: "string", minLength: 1, description: "semver range of the rule API the pack was written for, e.g. ^1.0.0" },
      description: { type: "string" },
      rules: { type: "array", items: { $ref: "#/$defs/rule" } },
    },
    required: ["pack", "api", "rules"],
    additionalProperties: false,
    $defs: {
      stringList: { anyOf: [{ type: "string", minLength: 1 }, { type: "array", minItems: 1, items: { type: "string", minLength: 1 } }] },
      port: { type: "integer", minimum: 0, maximum: 65535 },
      rule: {
        type: "object",
        properties: {
          ...fields(RULE_KEYS, {}),
          id: { type: "string", pattern: "^[a-z0-9][a-z0-9._-]*$" },
          type: { enum: ["dynamic", "static"], default: "dynamic" },
          description: { type: "string", minLength: 1 },
          explanation: { type: "string", minLength: 1 },
          severity: { enum: SEVERITIES },
          match: { type: "object" },
          except: { type: "array", items: { $ref: "#/$defs/exception" } },
        },
        required: ["id", "description", "explanation", "severity", "match"],
        additionalProperties: false,
        if: { properties: { type: { const: "static" } }, required: ["type"] },
        then: { properties: { match: { $ref: "#/$defs/staticMatch" } } },
        else: { properties: { match: { $ref: "#/$defs/dynamicMatch" } } },
      },
      dynamicMatch: { type: "object", properties: fields(DYNAMIC_MATCH_KEYS, DYNAMIC_FIELDS), required: ["events"], additionalProperties: false },
      staticMatch: { oneOf: STATIC_FACT_KINDS.map(staticMatch) },
      exception: {
        type: "object",
        properties: { ...fields(EXCEPTION_KEYS, { phases: enumList(PHASES), unattributed: BOOLEAN }), reason: { type: "string", minLength: 1 } },
        required: ["reason"],
        minProperties: 2,
        additionalProperties: false,
      },
    },
  };
}
