import { satisfies, valid, validRange } from "@renovatebot/pep440";
import { InputError } from "../core/errors.ts";
import { normalizeName } from "../core/names.ts";
import type { MarkerNode, MarkerOp, MarkerValue, Requirement, TargetEnvironment } from "../core/requirements.ts";

/** Variables whose values are versions: compared with PEP 440 semantics when both sides parse. */
const VERSION_VARIABLES: ReadonlySet<string> = new Set([
  "python_version",
  "python_full_version",
  "implementation_version",
  "platform_release",
]);

/**
 * True if the marker holds for `env` and any of the active `extras` (with none active, `extra`
 * is the empty string), which is how pip evaluates a requirement's marker.
 */
export function evaluateMarker(node: MarkerNode, env: TargetEnvironment, extras: readonly string[] = []): boolean {
  const candidates = extras.length > 0 ? extras : [""];
  return candidates.some((extra) => evaluateNode(node, env, normalizeName(extra)));
}

/** Whether a requirement's marker holds for the target; undefined when the target is unknown. */
export function markerApplies(requirement: Requirement, environment: TargetEnvironment | undefined): boolean | undefined {
  if (!requirement.marker) return true;
  if (!environment) return undefined;
  try {
    return evaluateMarker(requirement.marker, environment);
  } catch (error) {
    if (error instanceof InputError) throw new InputError(error.message, requirement.origin);
    throw error;
  }
}

/** The requirements that select something on the target: all of them when the target is unknown. */
export function applicableRequirements(requirements: readonly Requirement[], environment: TargetEnvironment | undefined): Requirement[] {
  return requirements.filter((requirement) => markerApplies(requirement, environment) !== false);
}

function evaluateNode(node: MarkerNode, env: TargetEnvironment, extra: string): boolean {
  switch (node.type) {
    case "and":
      return evaluateNode(node.left, env, extra) && evaluateNode(node.right, env, extra);
    case "or":
      return evaluateNode(node.left, env, extra) || evaluateNode(node.right, env, extra);
    case "compare":
      return compare(node.left, node.op, node.right, env, extra);
  }
}

function compare(leftValue: MarkerValue, op: MarkerOp, rightValue: MarkerValue, env: TargetEnvironment, extra: string): boolean {
  const isExtra = isVariable(leftValue, "extra") || isVariable(rightValue, "extra");
  let left = resolve(leftValue, env, extra);
  let right = resolve(rightValue, env, extra);
  if (isExtra) {
    // PEP 685: extra names compare in their normalised form on both sides.
    left = normalizeName(left);
    right = normalizeName(right);
  }
  if (op === "in") return right.includes(left);
  if (op === "not in") return !right.includes(left);
  const versioned = [leftValue, rightValue].some((value) => value.type === "variable" && VERSION_VARIABLES.has(value.name));
  if (versioned && valid(left) !== null && validRange(`${op}${right}`)) {
    return satisfies(left, `${op}${right}`, { prereleases: true });
  }
  return compareStrings(left, op, right);
}

function compareStrings(left: string, op: MarkerOp, right: string): boolean {
  switch (op) {
    case "==":
    case "===":
      return left === right;
    case "!=":
      return left !== right;
    case "<":
      return left < right;
    case "<=":
      return left <= right;
    case ">":
      return left > right;
    case ">=":
      return left >= right;
    default:
      throw new InputError(`marker comparison '${left}' ${op} '${right}' is undefined: '${op}' needs PEP 440 versions on both sides`);
  }
}

function isVariable(value: MarkerValue, name: string): boolean {
  return value.type === "variable" && value.name === name;
}

function resolve(value: MarkerValue, env: TargetEnvironment, extra: string): string {
  if (value.type === "literal") return value.value;
  return value.name === "extra" ? extra : env[value.name];
}

/** Canonical text of a marker: double quotes, single spaces, parentheses only where needed. */
export function formatMarker(node: MarkerNode): string {
  switch (node.type) {
    case "compare":
      return `${formatValue(node.left)} ${node.op} ${formatValue(node.right)}`;
    case "and":
      return `${formatOperand(node.left, "and")} and ${formatOperand(node.right, "and")}`;
    case "or":
      return `${formatOperand(node.left, "or")} or ${formatOperand(node.right, "or")}`;
  }
}

function formatOperand(node: MarkerNode, parent: "and" | "or"): string {
  const text = formatMarker(node);
  return parent === "and" && node.type === "or" ? `(${text})` : text;
}

function formatValue(value: MarkerValue): string {
  if (value.type === "variable") return value.name;
  return value.value.includes('"') ? `'${value.value}'` : `"${value.value}"`;
}
