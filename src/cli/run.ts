/**
 * The CLI from argv to exit code: find the command, answer --help/--version, parse and resolve
 * the options, then run the command. Errors propagate to main, which reports them.
 */
import { runCommand } from "citty";
import pkg from "../../package.json" with { type: "json" };
import { ExitCode } from "../core/exit-codes.ts";
import { parseCommandLine, splitCommand } from "./argv.ts";
import { COMMANDS } from "./commands.ts";
import { logger, setLogLevel, writeStdout } from "./output.ts";

/** Debug output (stack traces) must work even when resolving the options is what fails. */
function wantsDebug(argv: readonly string[], env: NodeJS.ProcessEnv): boolean {
  const index = argv.indexOf("--log-level");
  return argv.includes("--log-level=debug") || (index >= 0 && argv[index + 1] === "debug") || env.PIPCANARY_LOG_LEVEL === "debug";
}

export async function runCli(argv: readonly string[], env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): Promise<number> {
  if (wantsDebug(argv, env)) setLogLevel("debug");
  const line = splitCommand(argv);
  if (line.help) {
    const { renderHelp } = await import("./help.ts");
    await writeStdout(await renderHelp(line.words));
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
  const { result } = await runCommand(COMMANDS[line.command], { rawArgs: line.args, data: options });
  return typeof result === "number" ? result : ExitCode.Safe;
}
