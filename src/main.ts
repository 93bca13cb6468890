/**
 * pipcanary entry point. `--version` is answered before anything else is loaded; everything else
 * runs the CLI with signal handlers installed, reports errors without stack traces (unless
 * --log-level debug), and always runs the cleanups before exiting.
 */
import pkg from "../package.json" with { type: "json" };

async function main(argv: string[]): Promise<number> {
  const { installSignalHandlers, runCleanups } = await import("./core/cleanup.ts");
  installSignalHandlers();
  let code: number;
  try {
    const { runCli } = await import("./cli/run.ts");
    code = await runCli(argv);
  } catch (error) {
    const { reportError } = await import("./cli/report-error.ts");
    code = await reportError(error);
  }
  await runCleanups();
  return code;
}

const argv = process.argv.slice(2);
if (argv.length === 1 && argv[0] === "--version") {
  process.stdout.write(`${pkg.version}\n`);
} else {
  process.exit(await main(argv));
}
