/**
 * `value` as a Python literal: JSON-shaped data (members that are undefined are left out, as
 * JSON.stringify does). A JSON string is a valid Python string literal.
 */
function pythonLiteral(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(pythonLiteral).join(", ")}]`;
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const members = Object.entries(value).filter(([, member]) => member !== undefined);
    return `{${members.map(([key, member]) => `${JSON.stringify(key)}: ${pythonLiteral(member)}`).join(", ")}}`;
  }
  throw new TypeError(`no Python literal for ${String(value)}`);
}

/**
 * A program for an interpreter that reads it from stdin: `script` (one of pipcanary's .py files,
 * unchanged) and then one call of its entry function with `args` as literals. The interpreter
 * parses all of stdin before it runs anything, so the program's input can only travel inside it:
 * argv and the environment would show it to every package, and a file would have to be named.
 */
export function stdinProgram(script: string, entry: string, ...args: unknown[]): string {
  return `${script}\n${entry}(${args.map(pythonLiteral).join(", ")})\n`;
}
