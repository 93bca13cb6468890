/**
 * Loads a user's plugin file at run time, with the compiled binary too: the file is imported by
 * its absolute path and Bun transpiles its TypeScript. A plugin needs nothing from node_modules:
 * `import { definePlugin } from "pipcanary/plugin"` is a module pipcanary itself provides (a Bun
 * runtime plugin), and a plain default-exported object works as well.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import semver from "semver";
import { InputError } from "../core/errors.ts";
import { SEVERITIES } from "../core/severity.ts";
import { plugin as registerRuntimePlugin } from "bun";
import { definePlugin, PLUGIN_API_VERSION, type Plugin } from "./api.ts";

/** The module name plugin files import the API from. */
const PLUGIN_MODULE = "pipcanary/plugin";

let moduleProvided = false;

function providePluginModule(): void {
  if (moduleProvided) return;
  moduleProvided = true;
  registerRuntimePlugin({
    name: "pipcanary-plugin-api",
    setup(build) {
      build.module(PLUGIN_MODULE, () => ({ exports: { definePlugin, PLUGIN_API_VERSION }, loader: "object" }));
    },
  });
}

const HOOKS = ["setup", "onRequirements", "onArtifact", "onFacts", "onSyscall", "onEgress", "onFinding"] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0] ?? text;
}

/** The problems of a default export that is not a plugin, each naming the field. */
function shapeProblems(value: unknown): string[] {
  if (!isRecord(value)) return ["its default export is not an object (export default definePlugin({ … }))"];
  const problems: string[] = [];
  if (typeof value.name !== "string" || value.name === "") problems.push("`name` must be a non-empty string");
  if (typeof value.api !== "string") problems.push('`api` must be a semver range such as "^1.0.0"');
  if (!Array.isArray(value.rules)) problems.push("`rules` must be a list of { id, severity, description, explanation }");
  else {
    value.rules.forEach((rule: unknown, index) => {
      const ok =
        isRecord(rule) &&
        typeof rule.id === "string" &&
        rule.id !== "" &&
        SEVERITIES.includes(rule.severity as never) &&
        typeof rule.description === "string" &&
        typeof rule.explanation === "string";
      if (!ok) problems.push(`rules[${index}] needs id, severity (${SEVERITIES.join(" | ")}), description and explanation`);
    });
  }
  for (const hook of HOOKS) {
    if (value[hook] !== undefined && typeof value[hook] !== "function") problems.push(`\`${hook}\` must be a function`);
  }
  return problems;
}

/** Checks a plugin object (built-in or loaded) against this pipcanary's plugin API. */
export function checkPlugin(value: unknown, where: string): Plugin {
  const problems = shapeProblems(value);
  if (problems.length > 0) throw new InputError(`plugin ${where} is not a pipcanary plugin: ${problems.join("; ")}`, undefined, "see plugins/README.md for the plugin shape");
  const plugin = value as Plugin;
  if (semver.validRange(plugin.api) === null) throw new InputError(`plugin ${plugin.name} (${where}): api '${plugin.api}' is not a semver range`, undefined, 'write api: "^1.0.0"');
  if (!semver.satisfies(PLUGIN_API_VERSION, plugin.api)) {
    throw new InputError(
      `plugin ${plugin.name} (${where}) needs plugin API ${plugin.api}, and this pipcanary implements plugin API ${PLUGIN_API_VERSION}`,
      undefined,
      "use a pipcanary release that implements that API, or a version of the plugin written for this one",
    );
  }
  return plugin;
}

export async function loadPluginFile(file: string): Promise<Plugin> {
  const path = resolve(file);
  if (!existsSync(path)) throw new InputError(`plugin file ${file} does not exist`, undefined, "pass the path of a plugin's .ts file to --plugin");
  providePluginModule();
  let loaded: unknown;
  try {
    loaded = await import(pathToFileURL(path).href);
  } catch (error) {
    throw new InputError(`plugin ${file} could not be loaded: ${firstLine(error)}`, undefined, "fix the plugin file (it must be TypeScript or JavaScript that imports nothing outside itself but node: modules)");
  }
  return checkPlugin(isRecord(loaded) ? loaded.default : undefined, file);
}

export function loadPluginFiles(files: readonly string[]): Promise<Plugin[]> {
  return Promise.all(files.map(loadPluginFile));
}
