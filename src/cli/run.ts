/**
 * The CLI from argv to exit code: find the command, answer --help/--version, parse and resolve
 * the options, then run the command. Errors propagate to main, which reports them.
 */
import pkg from "../../package.json" with { type: "json" };
import { ExitCode } from "../core/exit-codes.ts";
import { parseCommandLine, splitCommand } from "./argv.ts";
import { runCommand } from "./commands.ts";
import { LOG_LEVELS, type LogLevel } from "./options.ts";
import { logger, setLogLevel, writeStdout } from "./output.ts";

/**
 * The log level as far as it can be known before the options are parsed, so that an error in
 * the options themselves is reported at the level asked for (silent, or debug with its stack).
 */
function earlyLogLevel(argv: readonly string[], env: NodeJS.ProcessEnv): LogLevel | undefined {
  const index = argv.lastIndexOf("--log-level");
  const inline = argv.findLast((arg) => arg.startsWith("--log-level="))?.slice("--log-level=".length);
  const given = inline ?? (index >= 0 ? argv[index + 1] : undefined) ?? env.PIPCANARY_LOG_LEVEL;
  return LOG_LEVELS.find((level) => level === given);
}

export async function runCli(argv: readonly string[], env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): Promise<number> {
  const early = earlyLogLevel(argv, env);
  if (early) setLogLevel(early);
  const line = splitCommand(argv, cwd);
  if (line.help) {
    const { renderHelp } = await import("./help.ts");
    await writeStdout(renderHelp(line.words));
    return ExitCode.Safe;
  }
  if (line.version) {
    await writeStdout(`${pkg.version}\n`);
    return ExitCode.Safe;
  }
  const values = parseCommandLine(line.command, line.args);
  const { resolveOptions } = await import("./resolve-options.ts");
  const { options, warnings } = resolveOptions({ command: line.command, commandLine: values, env, cwd });
  setLogLevel(options.logLevel);
  for (const warning of warnings) logger.warn(warning);
  logger.debug(`command ${options.command}; options set: ${options.explicitOptions.join(", ") || "none"}; config ${options.configFile ?? "none"}`);
  return runCommand(line.command, options);
}
