/**
 * Serves the bundled demo index on 127.0.0.1 until SIGINT or SIGTERM.
 * Usage: bun demo/serve.ts [--port N]   (default: an ephemeral port)
 * The first line on stdout is the simple index URL, to pass to pipcanary's --index-url.
 */
import { buildToolProjects } from "../test/harness/build-tools.ts";
import { startIndexServer } from "../test/harness/index-server.ts";
import type { FixtureProject, IndexServer } from "../test/harness/types.ts";
import { demoProjects } from "./packages.ts";

function parsePort(args: string[]): number {
  const index = args.findIndex((arg) => arg === "--port" || arg.startsWith("--port="));
  if (index < 0) return 0;
  const arg = args[index] ?? "";
  const value = arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : args[index + 1];
  const port = Number(value);
  if (!value || !Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`demo/serve.ts: --port needs a number from 0 to 65535, got "${value ?? ""}"`);
    process.exit(1);
  }
  return port;
}

const unknown = process.argv.slice(2).filter((arg, i, args) => !arg.startsWith("--port") && args[i - 1] !== "--port");
if (unknown.length > 0) {
  console.error(`demo/serve.ts: unknown argument "${unknown[0]}". Usage: bun demo/serve.ts [--port N]`);
  process.exit(1);
}

async function start(projects: FixtureProject[], port: number): Promise<IndexServer> {
  try {
    // The build tools let pip build the demo's sdist without PyPI.
    return await startIndexServer([...projects, ...buildToolProjects()], { port });
  } catch (error) {
    console.error(`demo/serve.ts: cannot start the demo index: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}

const projects = demoProjects();
const server = await start(projects, parsePort(process.argv.slice(2)));
console.log(server.simpleUrl);
console.error(`demo index serving ${projects.map((project) => project.name).join(", ")}; stop with Ctrl-C`);

const stop = () => void server.stop().finally(() => process.exit(0));
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
