import type { Origin } from "../../core/errors.ts";
import { normalizeName } from "../../core/names.ts";
import type { Severity } from "../../core/severity.ts";
import { lookalikeOf, type TypoTarget } from "../../static/index.ts";
import { definePlugin, type Plugin, type PluginFinding, type PluginRule } from "../api.ts";

const HOMOGLYPH: PluginRule = {
  id: "static.name.homoglyph",
  severity: "block",
  description: "Package name with non-ASCII look-alike characters.",
  explanation: "Python package names are ASCII; a name like this exists only to be mistaken for another package.",
};

const TYPOSQUAT_WHY = "Typosquatting packages use names like this";

const TYPOSQUAT: PluginRule = {
  id: "static.name.typosquat",
  severity: "block",
  description: "Package name close to a popular project.",
  explanation: `One letter away from a popular project blocks unless --allow-name accepts it; a separator or py/python affix away is a warning. ${TYPOSQUAT_WHY}.`,
};

function homoglyph(name: string, characters: readonly string[], imitated: string | undefined, where: string): PluginFinding {
  const target = imitated ? ` It imitates "${imitated}".` : "";
  return {
    ruleId: HOMOGLYPH.id,
    package: normalizeName(name),
    subject: { kind: "name", name, detail: `non-ASCII character ${characters[0] ?? ""}` },
    explanation: `${where}the package name "${name}" contains ${characters.join(", ")}.${target} ${HOMOGLYPH.explanation} Type the name again by hand.`,
  };
}

function typosquat(name: string, target: TypoTarget, severity: Severity, where: string): PluginFinding {
  const fix = severity === "block" ? ` If you really meant "${name}", accept it with --allow-name ${normalizeName(name)}.` : severity === "info" ? " Accepted with --allow-name." : "";
  return {
    ruleId: TYPOSQUAT.id,
    package: normalizeName(name),
    severity,
    subject: { kind: "name", name, detail: `${target.how} from "${target.name}"` },
    explanation:
      `${where}"${name}" is not "${target.name}" but differs from it by ${target.how}. ${TYPOSQUAT_WHY}; ` +
      `check that you meant "${name}" and not "${target.name}".${fix}`,
  };
}

/**
 * One requirement's name: a non-ASCII name blocks (homoglyph attack); one edit (a changed, missing,
 * extra or swapped letter) away from a very popular project blocks unless `allowNames` (normalised,
 * from --allow-name) accepts it, which leaves a note; other near names (separators, a py/python
 * affix) are warnings, since many legitimate names are built like that.
 */
function nameFindings(name: string, origin: Origin, allowNames: readonly string[]): PluginFinding[] {
  const where = `${origin.file}:${origin.line}: `;
  const lookalike = lookalikeOf(name);
  if (!lookalike) return [];
  if (lookalike.kind === "homoglyph") return [homoglyph(name, lookalike.characters, lookalike.imitated, where)];
  const { target } = lookalike;
  const severity = !target.oneEdit ? "warn" : allowNames.includes(normalizeName(name)) ? "info" : "block";
  return [typosquat(name, target, severity, where)];
}

/** The look-alike name check, on every requirement before pip sees it; `allowNames` is --allow-name. */
export function namesPlugin(allowNames: readonly string[]): Plugin {
  return definePlugin({
    name: "builtin:names",
    api: "^1.1.0",
    rules: [HOMOGLYPH, TYPOSQUAT],
    onRequirements: (requirements) => requirements.flatMap((requirement) => nameFindings(requirement.name, requirement.origin, allowNames)),
  });
}
