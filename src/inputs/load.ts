import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { InputError } from "../core/errors.ts";
import { displayPath } from "./input-file.ts";
import { addLockInput, readLockInput } from "./lock-files.ts";
import { declaresDependencies, projectRequirements } from "./pyproject.ts";
import { checkHashMode, createReadState, readRequirementsFile } from "./requirements-file.ts";
import { readTomlFile } from "./toml-file.ts";
import type { RequirementSet } from "../core/requirements.ts";

export interface InputOptions {
  /** Relative paths are taken from here. */
  cwd: string;
  /** `-r` files in order. */
  requirementFiles: string[];
  /** `-p` file. */
  projectFile: string | undefined;
  /** `--extra`: optional-dependency extras to include; undefined means every extra (`--all-extras`). */
  extras: string[] | undefined;
  /** `--group`: dependency groups to include (none by default). */
  groups: string[];
  /** Receives warnings about inputs that are read but only partly usable. */
  warn?: (message: string) => void;
}

/** Lock files in the order a project directory is searched for one: what gets installed is what a lock pins. */
const DISCOVERED_LOCKS = ["pylock.toml", "uv.lock", "poetry.lock"];

/**
 * With no -r and no -p: the project's lock file (pylock.toml, uv.lock, poetry.lock) if there is
 * one, else ./pyproject.toml if it declares dependencies, else ./requirements.txt, else
 * ./pyproject.toml anyway (so its own error explains what is missing).
 */
export function discoverInputs(cwd: string): { projectFile?: string; requirementFiles: string[] } {
  const lock = DISCOVERED_LOCKS.map((name) => join(cwd, name)).find((path) => existsSync(path));
  if (lock) return { requirementFiles: [lock] };
  const pyproject = join(cwd, "pyproject.toml");
  const requirements = join(cwd, "requirements.txt");
  const hasPyproject = existsSync(pyproject);
  if (hasPyproject && declaresDependencies(readTomlFile(pyproject, displayPath(pyproject, cwd)).data)) return { projectFile: pyproject, requirementFiles: [] };
  if (existsSync(requirements)) return { requirementFiles: [requirements] };
  if (hasPyproject) return { projectFile: pyproject, requirementFiles: [] };
  throw new InputError(`nothing to scan: there is no pyproject.toml or requirements.txt in ${cwd}`, undefined, "pass -r requirements.txt or -p pyproject.toml");
}

/** Reads every input into one requirement set, each requirement with its origin file:line. */
export async function loadRequirementSet(options: InputOptions): Promise<RequirementSet> {
  const warn = options.warn ?? (() => undefined);
  const explicit = options.requirementFiles.length > 0 || options.projectFile !== undefined;
  const inputs = explicit
    ? { projectFile: options.projectFile && resolve(options.cwd, options.projectFile), requirementFiles: options.requirementFiles.map((file) => resolve(options.cwd, file)) }
    : discoverInputs(options.cwd);
  if (!inputs.projectFile && (options.extras === undefined || options.extras.length > 0 || options.groups.length > 0)) {
    throw new InputError(
      `--extra, --all-extras and --group select parts of a pyproject.toml, but the input is ${inputs.requirementFiles.map((file) => displayPath(file, options.cwd)).join(", ")}`,
      undefined,
      "pass -p pyproject.toml as well, or drop --extra/--all-extras/--group",
    );
  }
  const state = createReadState(options.cwd);
  for (const file of inputs.requirementFiles) {
    const lock = readLockInput(file, options.cwd);
    if (lock) addLockInput(state, lock);
    else readRequirementsFile(file, state);
  }
  checkHashMode(state.requirements, state.requireHashes);
  const requirements = [...state.requirements];
  if (inputs.projectFile) {
    const doc = readTomlFile(inputs.projectFile, displayPath(inputs.projectFile, options.cwd));
    requirements.push(...projectRequirements(doc, { extras: options.extras, groups: options.groups, warn }));
  }
  return { requirements, index: state.index };
}
