/** Narrowing for untrusted parsed JSON (index responses, OSV records, lock files). */
export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
