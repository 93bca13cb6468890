/** The inputs stage's public surface for the rest of the pipeline. */
export { discoverInputs, loadRequirementSet, type InputOptions } from "./load.ts";
export { evaluateMarker, formatMarker } from "./markers.ts";
export { checkDirectReference, formatRequirement, parseMarker, parseRequirement } from "./requirement.ts";
export { getTargetEnvironment, readTargetEnvironment } from "./target-environment.ts";
export type { IndexOptions, MarkerNode, Requirement, RequirementSet, TargetEnvironment } from "../core/requirements.ts";
