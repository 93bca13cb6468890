/**
 * Test-only stand-in for the CLI: runs one scan the way `pipcanary` will, with the signal
 * handlers installed, so tests can interrupt a real scan and check that nothing is left.
 * Usage: bun test/e2e/driver.ts '<json: {indexUrl, names, temporaryDirectory}>'
 */
import { installSignalHandlers, runCleanups } from "../../src/core/cleanup.ts";
import { PipcanaryError } from "../../src/core/errors.ts";
import { ExitCode } from "../../src/core/exit-codes.ts";
import { runScan } from "../../src/run/orchestrator.ts";
import { formatScanReport } from "../../src/report/text.ts";
import { requirement } from "./helpers.ts";

interface DriverConfig {
  indexUrl: string;
  names: string[];
  temporaryDirectory: string;
}

const config = JSON.parse(process.argv[2] ?? "{}") as DriverConfig;
installSignalHandlers();
try {
  const result = await runScan(
    {
      requirements: config.names.map((name) => requirement(name)),
      index: { indexUrl: config.indexUrl, extraIndexUrls: [], findLinks: [], pre: false, onlyBinary: [] },
    },
    { temporaryDirectory: config.temporaryDirectory },
  );
  console.log(formatScanReport(result.findings));
  result.dispose();
  process.exitCode = result.blocked ? ExitCode.MaliciousActivity : ExitCode.Safe;
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = error instanceof PipcanaryError ? error.exitCode : ExitCode.ScanFailed;
} finally {
  await runCleanups();
}
