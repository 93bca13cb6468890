/**
 * The requirement set as --dry-run shows it: every requirement with extras, specifier or URL,
 * marker (and whether it applies to the target interpreter), hashes and origin file:line.
 */
import { formatOrigin } from "../core/errors.ts";
import { markerApplies } from "../inputs/markers.ts";
import type { IndexOptions, Requirement, RequirementSet, TargetEnvironment } from "../core/requirements.ts";

export interface RequirementSetView {
  set: RequirementSet;
  /** Effective index options (files merged with the command line). */
  index: IndexOptions;
  /** The target interpreter, or undefined when it could not be asked. */
  environment: TargetEnvironment | undefined;
}

function requirementHeadline(requirement: Requirement): string {
  const extras = requirement.extras.length > 0 ? `[${requirement.extras.join(",")}]` : "";
  const target = requirement.url !== undefined ? ` @ ${requirement.url}` : requirement.specifier || " (any version)";
  return `${requirement.name}${extras}${target}`;
}

function applicability(applies: boolean | undefined): string {
  if (applies === undefined) return "applies to this interpreter: unknown (python3 not available)";
  return applies ? "applies to this interpreter" : "does not apply to this interpreter";
}

function describe(requirement: Requirement, environment: TargetEnvironment | undefined): string[] {
  const lines = [`  ${requirementHeadline(requirement)}`];
  if (requirement.markerText) lines.push(`      marker: ${requirement.markerText}  (${applicability(markerApplies(requirement, environment))})`);
  requirement.hashes.forEach((hash, i) => lines.push(`      ${i === 0 ? "hashes:" : "       "} ${hash}`));
  lines.push(`      origin: ${formatOrigin(requirement.origin)}`);
  return lines;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

export function renderRequirementSetText(view: RequirementSetView): string {
  const { set, index, environment } = view;
  const requirements = set.requirements.filter((requirement) => !requirement.constraint);
  const constraints = set.requirements.filter((requirement) => requirement.constraint);
  const target = environment ? ` for ${environment.platform_python_implementation} ${environment.python_full_version} on ${environment.sys_platform}` : "";
  const lines = [`Requirement set${target}: ${plural(requirements.length, "requirement")}, ${plural(constraints.length, "constraint")}`];
  lines.push("", "Requirements:");
  lines.push(...(requirements.length > 0 ? requirements.flatMap((requirement) => describe(requirement, environment)) : ["  (none)"]));
  if (constraints.length > 0) lines.push("", "Constraints:", ...constraints.flatMap((requirement) => describe(requirement, environment)));
  lines.push("", "Index:");
  lines.push(`  index URL: ${index.noIndex ? "none (--no-index)" : index.indexUrl}`);
  for (const url of index.extraIndexUrls) lines.push(`  extra index URL: ${url}`);
  for (const link of index.findLinks) lines.push(`  find links: ${link}`);
  lines.push(`  pre-releases: ${index.pre ? "allowed" : "not allowed"}`);
  if (index.onlyBinary.length > 0) lines.push(`  only binary: ${index.onlyBinary.join(", ")}`);
  if (index.preferBinary) lines.push("  prefer binary: yes");
  return `${lines.join("\n")}\n`;
}

export function renderRequirementSetJson(view: RequirementSetView): string {
  const { set, index, environment } = view;
  const document = {
    requirements: set.requirements.map((requirement) => ({
      name: requirement.name,
      normalizedName: requirement.normalizedName,
      extras: requirement.extras,
      specifier: requirement.specifier,
      url: requirement.url ?? null,
      marker: requirement.markerText ?? null,
      markerApplies: markerApplies(requirement, environment) ?? null,
      hashes: requirement.hashes,
      constraint: requirement.constraint,
      origin: { file: requirement.origin.file, line: requirement.origin.line },
    })),
    index: {
      indexUrl: index.indexUrl ?? null,
      extraIndexUrls: index.extraIndexUrls,
      findLinks: index.findLinks,
      pre: index.pre,
      onlyBinary: index.onlyBinary,
      noIndex: index.noIndex ?? false,
      preferBinary: index.preferBinary ?? false,
    },
    environment: environment ?? null,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
