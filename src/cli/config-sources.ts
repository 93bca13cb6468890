/**
 * Option values from the two configuration sources besides the command line: PIPCANARY_*
 * environment variables and the [tool.pipcanary] table of the project's pyproject.toml.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { CACHE_KEY_VARIABLE } from "../cache/verdict-cache.ts";
import { InputError, type Origin } from "../core/errors.ts";
import { isTable, readTomlFile } from "../inputs/toml-file.ts";
import { TomlLocator } from "../inputs/toml-locate.ts";
import { OPTION_SPECS, type OptionSpec, envName } from "./option-table.ts";

/** Where a value came from: named in error messages; `baseDir` anchors relative paths. */
export interface SettingSource {
  label: string;
  baseDir: string;
  origin?: Origin;
}

export interface Setting {
  spec: OptionSpec;
  /** Raw text values (one for scalars and booleans). */
  values: string[];
  source: SettingSource;
}

/** List values in variables are separated by commas or whitespace. */
export function readEnvSettings(env: NodeJS.ProcessEnv, cwd: string, warn: (message: string) => void): Setting[] {
  const settings: Setting[] = [];
  // Read where it is used, never as an option: a secret must not be settable from a project file.
  const known = new Set<string>([CACHE_KEY_VARIABLE]);
  for (const spec of OPTION_SPECS) {
    if (spec.commandLineOnly) continue;
    const name = envName(spec);
    known.add(name);
    const raw = env[name];
    if (raw === undefined) continue;
    const values = spec.kind === "list" ? raw.split(/[\s,]+/).filter((value) => value !== "") : [raw];
    settings.push({ spec, values, source: { label: `environment variable ${name}`, baseDir: cwd } });
  }
  for (const name of Object.keys(env)) {
    if (name.startsWith("PIPCANARY_") && !known.has(name)) warn(`ignoring unknown environment variable ${name}`);
  }
  return settings;
}

/**
 * The pyproject.toml of the project a file belongs to: the nearest one in its directory or
 * above, so the same input gives the same configuration from any working directory.
 */
export function enclosingProjectFile(file: string): string | undefined {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const candidate = join(dir, "pyproject.toml");
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/** Keys are long option names, kebab-case or snake_case. */
export function readProjectSettings(pyprojectPath: string, shownAs: string): Setting[] {
  const doc = readTomlFile(pyprojectPath, shownAs);
  const tool = doc.data.tool;
  const table = isTable(tool) ? tool.pipcanary : undefined;
  if (table === undefined) return [];
  const locator = new TomlLocator(doc.text);
  const originOf = (key: string): Origin => ({ file: shownAs, line: locator.nearestLineOf(["tool", "pipcanary", key]) });
  if (!isTable(table)) throw new InputError("[tool.pipcanary] must be a table", originOf(""));
  const settings: Setting[] = [];
  for (const [key, value] of Object.entries(table)) {
    const origin = originOf(key);
    const name = key.replace(/_/g, "-");
    const spec = OPTION_SPECS.find((candidate) => candidate.name === name);
    if (!spec || spec.commandLineOnly) throw new InputError(`[tool.pipcanary] has unknown key '${key}'`, origin, "keys are the long option names shown by pipcanary --help");
    if (spec.notFromProject) throw new InputError(`[tool.pipcanary] cannot set '${key}': ${spec.notFromProject}`, origin, notFromProjectHint(spec));
    const label = `${shownAs}:${origin.line}: [tool.pipcanary] ${key}`;
    settings.push({ spec, values: tomlValues(spec, value, label), source: { label, baseDir: dirname(pyprojectPath), origin } });
  }
  return settings;
}

/** The fix for a key a project file may not set: it belongs to the person running pipcanary. */
export function notFromProjectHint(spec: OptionSpec): string {
  return `pass it on the command line (--${spec.name}) or in ${envName(spec)}, and remove it from [tool.pipcanary]`;
}

function tomlValues(spec: OptionSpec, value: unknown, label: string): string[] {
  if (spec.kind === "boolean") {
    if (typeof value !== "boolean") throw new InputError(`${label}: must be true or false`);
    return [String(value)];
  }
  const scalar = (entry: unknown) => {
    if (typeof entry === "string" || typeof entry === "number") return String(entry);
    throw new InputError(`${label}: must be a string${spec.kind === "list" ? " or a list of strings" : ""}`);
  };
  if (spec.kind === "list") return Array.isArray(value) ? value.map(scalar) : [scalar(value)];
  return [scalar(value)];
}
