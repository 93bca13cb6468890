/**
 * --help text, rendered from the command table and the option table (names, value hints, help
 * text and defaults). Option names sit in a fixed column and long ones wrap instead of pushing
 * every description far to the right.
 */
import pkg from "../../package.json" with { type: "json" };
import { EXIT_CODE_HELP } from "../core/exit-codes.ts";
import { CACHE_ACTIONS, CACHE_DESCRIPTION, COMMANDS, MAIN_DESCRIPTION, TOP_COMMANDS } from "./commands.ts";
import { HELP_SPECS, OPTION_SPECS, type OptionSpec, optionsOf } from "./option-table.ts";
import type { CommandName } from "./options.ts";

const WIDTH = 100;
const NAME_COLUMN = 34;
const COMMAND_COLUMN = 12;

/** Words wrapped to WIDTH, continuation lines indented by `indent`. */
function wrap(text: string, indent: number, firstLineRoom: number): string {
  const lines: string[] = [];
  let line = "";
  let room = firstLineRoom;
  for (const word of text.split(/\s+/)) {
    if (line !== "" && line.length + 1 + word.length > room) {
      lines.push(line);
      line = word;
      room = WIDTH - indent;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  lines.push(line);
  return lines.join(`\n${" ".repeat(indent)}`);
}

function row(name: string, description: string, column: number = NAME_COLUMN): string {
  const lead = `  ${name}`;
  if (lead.length + 2 > column) return `${lead}\n${" ".repeat(column)}${wrap(description, column, WIDTH - column)}`;
  return `${lead.padEnd(column)}${wrap(description, column, WIDTH - column)}`;
}

function optionRow(spec: OptionSpec): string {
  const short = spec.short ? `-${spec.short}, ` : "";
  const value = spec.kind === "boolean" ? "" : ` ${spec.valueHint ?? "VALUE"}`;
  return row(`${short}--${spec.name}${value}`, `${spec.description} (default: ${spec.defaultText})`);
}

function configurationHelp(optionNames: readonly string[]): string {
  const projectForbidden = OPTION_SPECS.filter((spec) => spec.notFromProject && optionNames.includes(spec.name)).map((spec) => `--${spec.name}`);
  if (optionNames.includes("cool-down-phase-days")) projectForbidden.push("a --cool-down-phase-days shorter than the default");
  return [
    "CONFIGURATION",
    `  ${wrap(
      "Options can also be set as PIPCANARY_<NAME> environment variables (PIPCANARY_COOL_DOWN_PHASE_DAYS=3; list values separated by commas or spaces) and as keys of [tool.pipcanary] in the project's pyproject.toml (cool-down-phase-days = 3, or cool_down_phase_days; lists as TOML arrays). The command line wins over the environment, which wins over pyproject.toml; list options are merged.",
      2,
      WIDTH - 2,
    )}`,
    ...(projectForbidden.length > 0
      ? [`  ${wrap(`Not allowed in pyproject.toml (pass them on the command line or as PIPCANARY_<NAME>): ${projectForbidden.join(", ")}.`, 2, WIDTH - 2)}`]
      : []),
  ].join("\n");
}

function exitCodeHelp(): string {
  return ["EXIT CODES", ...EXIT_CODE_HELP.map(([code, meaning]) => `  ${String(code).padStart(3)}  ${meaning}`)].join("\n");
}

interface HelpTarget {
  name: string;
  description: string;
  /** The command whose options are listed. */
  options: CommandName;
  subcommands: Array<readonly [string, string]>;
}

/** What --help describes for the command words given (`[]`, `["cache"]`, …). */
function helpTarget(words: readonly string[]): HelpTarget {
  const [first, second] = words;
  if (first === "cache") {
    const action = second === undefined ? undefined : CACHE_ACTIONS.get(second);
    if (action) return { name: `pipcanary ${action}`, description: COMMANDS[action].description, options: action, subcommands: [] };
    const subcommands = [...CACHE_ACTIONS].map(([word, command]) => [word, COMMANDS[command].description] as const);
    return { name: "pipcanary cache", description: CACHE_DESCRIPTION, options: "cache info", subcommands };
  }
  const command = TOP_COMMANDS.find((name) => name === first);
  if (command !== undefined && command !== "cache") return { name: `pipcanary ${command}`, description: COMMANDS[command].description, options: command, subcommands: [] };
  const subcommands = TOP_COMMANDS.map((word) => [word, word === "cache" ? CACHE_DESCRIPTION : COMMANDS[word].description] as const);
  return { name: "pipcanary", description: MAIN_DESCRIPTION, options: "scan", subcommands };
}

/** --help text for the command words given (`[]`, `["audit"]`, `["cache"]`, `["cache", "info"]`). */
export function renderHelp(words: readonly string[]): string {
  const target = helpTarget(words);
  const options = [...optionsOf(target.options), ...HELP_SPECS];
  const sections: string[] = [`${target.name} ${pkg.version} — ${target.description}`];
  const usage = target.subcommands.length > 0 ? `${target.name} [COMMAND] [OPTIONS]` : `${target.name} [OPTIONS]`;
  sections.push(`USAGE\n  ${usage}`);
  if (target.subcommands.length > 0) sections.push(["COMMANDS", ...target.subcommands.map(([name, description]) => row(name, description, COMMAND_COLUMN))].join("\n"));
  sections.push(["OPTIONS", ...options.map(optionRow)].join("\n"));
  sections.push(configurationHelp(options.map((spec) => spec.name)), exitCodeHelp());
  return `${sections.join("\n\n")}\n`;
}
