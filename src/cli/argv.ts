/**
 * Command-line parsing with node:util parseArgs: strict (an unknown option is an error), list
 * options repeatable, `--no-sandbox` an option of its own rather than a negation.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { type ParseArgsConfig, parseArgs } from "node:util";
import { InputError } from "../core/errors.ts";
import { CACHE_ACTIONS, TOP_COMMANDS } from "./commands.ts";
import { HELP_SPECS, OPTION_SPECS, type OptionSpec, findOption, optionsOf } from "./option-table.ts";
import type { CommandName } from "./options.ts";

export interface CommandLine {
  command: CommandName;
  /** The command words as given (`[]`, `["audit"]`, `["cache", "info"]`). */
  words: string[];
  /** argv without the command words. */
  args: string[];
  help: boolean;
  version: boolean;
}

/** True for `--name`/`-x` of a known option whose value is the next word. */
function takesValue(token: string): boolean {
  const name = token.startsWith("--") ? (token.includes("=") ? undefined : token.slice(2)) : token.length === 2 ? token.slice(1) : undefined;
  const spec = name === undefined ? undefined : findOption(name);
  return spec !== undefined && spec.kind !== "boolean";
}

/** Finds the command words anywhere among the options (`pipcanary -r x audit` works too). */
export function splitCommand(argv: readonly string[], cwd: string = process.cwd()): CommandLine {
  const words: number[] = [];
  const end = argv.indexOf("--") >= 0 ? argv.indexOf("--") : argv.length;
  const options = argv.slice(0, end);
  const help = options.includes("--help") || options.includes("-h");
  const version = options.includes("--version");
  for (let i = 0; i < end; i++) {
    const token = argv[i] ?? "";
    if (token.startsWith("-") && token !== "-") {
      if (takesValue(token)) i++;
      continue;
    }
    words.push(i);
    if (words.length === 2 || argv[i] !== "cache") break;
  }
  const given = words.map((index) => argv[index] ?? "");
  const [first, second] = given;
  let command: CommandName = "scan";
  if (first !== undefined) {
    if (!(TOP_COMMANDS as readonly string[]).includes(first)) {
      if (existsSync(resolve(cwd, first))) {
        throw new InputError(`unexpected argument '${first}': to scan it, pass -r ${first} or -p ${first}`);
      }
      throw new InputError(`unknown command '${first}'`, undefined, `commands are: ${TOP_COMMANDS.join(", ")} (scan is the default); see pipcanary --help`);
    }
    if (first === "cache") {
      if (second === undefined && !help) throw new InputError("'pipcanary cache' needs an action: info or clean", undefined, "see pipcanary cache --help");
      const action = second === undefined ? "cache info" : CACHE_ACTIONS.get(second);
      if (action === undefined) throw new InputError(`unknown cache action '${second}'`, undefined, "use pipcanary cache info or pipcanary cache clean");
      command = action;
    } else {
      command = first as CommandName;
    }
  }
  const args = argv.filter((_, index) => !words.includes(index));
  return { command, words: given, args, help, version };
}

/** Option values exactly as given on the command line, by long name. */
export type CommandLineValues = Map<string, string[] | boolean>;

export function parseCommandLine(command: CommandName, args: readonly string[]): CommandLineValues {
  const specs = [...optionsOf(command), ...HELP_SPECS];
  const config: ParseArgsConfig["options"] = {};
  for (const spec of specs) {
    config[spec.name] = {
      type: spec.kind === "boolean" ? "boolean" : "string",
      multiple: spec.kind === "list",
      ...(spec.short ? { short: spec.short } : {}),
    };
  }
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options: config, strict: true, allowPositionals: true });
  } catch (error) {
    throw commandLineError(error, command, specs);
  }
  if (parsed.positionals.length > 0) {
    throw new InputError(`unexpected argument '${parsed.positionals[0]}'`, undefined, `options take the form --name VALUE; see pipcanary ${command} --help`);
  }
  const values: CommandLineValues = new Map();
  for (const [name, value] of Object.entries(parsed.values)) {
    if (value === undefined) continue;
    values.set(name, typeof value === "boolean" ? value : Array.isArray(value) ? value.map(String) : [String(value)]);
  }
  return values;
}

function commandLineError(error: unknown, command: CommandName, specs: OptionSpec[]): unknown {
  const code = (error as { code?: string }).code ?? "";
  if (!code.startsWith("ERR_PARSE_ARGS")) return error;
  const message = error instanceof Error ? error.message : String(error);
  const hint = `see pipcanary ${command} --help`;
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const option = /'([^']+)'/.exec(message)?.[1] ?? message;
    const known = findOption(option.replace(/^-+/, "").split("=")[0] ?? "");
    if (known && !specs.includes(known) && OPTION_SPECS.includes(known)) {
      return new InputError(`option '${option}' does not apply to 'pipcanary ${command}'`, undefined, hint);
    }
    return new InputError(`unknown option '${option}'`, undefined, hint);
  }
  const missing = code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" ? /--([a-z0-9-]+) <value>' argument missing/.exec(message)?.[1] : undefined;
  const spec = missing === undefined ? undefined : findOption(missing);
  if (spec) return new InputError(`option ${spec.short ? `-${spec.short}/` : ""}--${spec.name} needs a value (${spec.valueHint ?? "VALUE"})`, undefined, hint);
  const [first = message, ...rest] = message.split("\n");
  return new InputError(first, undefined, rest.length > 0 ? rest.join(" ") : hint);
}
