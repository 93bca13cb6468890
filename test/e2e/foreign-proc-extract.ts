/*
 * Run by foreign-proc.test.ts inside its outer sandbox: one static-scan extractor run through
 * pipcanary's own sandbox spawn, its outcome printed as JSON. Usage: bun foreign-proc-extract.ts
 * <control dir> <timeout ms>
 */
import { untracedSandboxSpawn } from "../../src/pipeline/static-sandbox.ts";
import { requireSandboxTools } from "../../src/sandbox/host-python.ts";

const [controlDir, timeout] = process.argv.slice(2);
if (controlDir === undefined || timeout === undefined) throw new Error("usage: foreign-proc-extract.ts <control dir> <timeout ms>");
const spawn = untracedSandboxSpawn({ tools: requireSandboxTools(), mounts: [], env: {}, controlDir });
const result = await spawn(["/bin/sh", "-c", "cat >/dev/null; echo extracted"], new TextEncoder().encode("{}"), Number(timeout));
process.stdout.write(`${JSON.stringify(result)}\n`);
