import type { Requirement, RequirementSet } from "../core/requirements.ts";

/** One requirement back in pip's requirements-file syntax (PEP 508 plus `--hash` options). */
function requirementLine(requirement: Requirement, options: { dropUrl?: boolean } = {}): string {
  const extras = requirement.extras.length > 0 ? `[${requirement.extras.join(",")}]` : "";
  let line = `${requirement.name}${extras}`;
  if (requirement.url !== undefined && !options.dropUrl) line += ` @ ${requirement.url}`;
  else line += requirement.specifier;
  if (requirement.markerText) line += ` ; ${requirement.markerText}`;
  for (const hash of requirement.hashes) line += ` --hash=${hash}`;
  return line;
}

export interface RequirementFiles {
  requirements: string;
  constraints: string;
}

/**
 * The requirement set as pip files: selected requirements and `-c` constraints. For the offline
 * install, direct URLs are dropped (the artifact is already in the find-links directory, and pip
 * must not try to reach the URL).
 */
export function requirementFiles(set: RequirementSet, options: { dropUrls?: boolean } = {}): RequirementFiles {
  const lines = (constraint: boolean) =>
    set.requirements
      .filter((requirement) => requirement.constraint === constraint)
      .map((requirement) => requirementLine(requirement, { dropUrl: options.dropUrls }))
      .join("\n");
  return { requirements: `${lines(false)}\n`, constraints: `${lines(true)}\n` };
}

/** The requirement on `line` (1-based) of `requirementFiles(set).requirements`, as pip's messages name it. */
export function requirementOnLine(set: RequirementSet, line: number): Requirement | undefined {
  return line >= 1 ? set.requirements.filter((requirement) => !requirement.constraint)[line - 1] : undefined;
}
