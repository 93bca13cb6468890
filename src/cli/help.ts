/**
 * --help text, rendered from the citty command definitions (meta, args with their defaults,
 * subcommands). citty's own renderUsage right-aligns option names, which pushes long option
 * names far to the right; this layout wraps instead.
 */
import type { ArgDef, CommandDef, CommandMeta, Resolvable } from "citty";
import { EXIT_CODE_HELP } from "../core/exit-codes.ts";
import { helpTarget } from "./commands.ts";
import { OPTION_SPECS } from "./option-table.ts";

const WIDTH = 100;
const NAME_COLUMN = 34;
const COMMAND_COLUMN = 12;

async function resolved<T>(value: Resolvable<T>): Promise<T> {
  return typeof value === "function" ? await (value as () => T | Promise<T>)() : await value;
}

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

function optionRow(name: string, arg: ArgDef): string {
  const alias = "alias" in arg ? arg.alias : undefined;
  const aliases = (Array.isArray(alias) ? alias : alias ? [alias] : []).map((short) => `-${short}, `).join("");
  const value = arg.type === "boolean" ? "" : ` ${"valueHint" in arg && arg.valueHint ? arg.valueHint : "VALUE"}`;
  const fallback = arg.default === undefined ? "" : ` (default: ${String(arg.default)})`;
  return row(`${aliases}--${name}${value}`, `${arg.description ?? ""}${fallback}`);
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

/** --help text for the command words given (`[]`, `["audit"]`, `["cache"]`, `["cache", "info"]`). */
export async function renderHelp(words: readonly string[]): Promise<string> {
  const command: CommandDef = helpTarget(words);
  const meta: CommandMeta = await resolved(command.meta ?? {});
  const args = await resolved(command.args ?? {});
  const subCommands = await resolved(command.subCommands ?? {});
  const sections: string[] = [`${meta.name} ${meta.version} — ${meta.description}`];
  const commandRows: string[] = [];
  for (const [name, sub] of Object.entries(subCommands)) {
    const subMeta: CommandMeta = await resolved((await resolved(sub)).meta ?? {});
    commandRows.push(row(name, subMeta.description ?? "", COMMAND_COLUMN));
  }
  const usage = commandRows.length > 0 ? `${meta.name} [COMMAND] [OPTIONS]` : `${meta.name} [OPTIONS]`;
  sections.push(`USAGE\n  ${usage}`);
  if (commandRows.length > 0) sections.push(["COMMANDS", ...commandRows].join("\n"));
  sections.push(["OPTIONS", ...Object.entries(args).map(([name, arg]) => optionRow(name, arg))].join("\n"));
  sections.push(configurationHelp(Object.keys(args)), exitCodeHelp());
  return `${sections.join("\n\n")}\n`;
}
