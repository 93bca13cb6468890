/**
 * The command tree: `scan` is the default, `cache` has `info` and `clean`. Each command has one
 * body, which receives its ResolvedOptions; bodies are imported lazily so that --help and
 * --version stay fast. The tree is plain data that argv.ts (to find the command), help.ts (to
 * describe it) and run.ts (to run it) read.
 */
import type { ExitCodeValue } from "../core/exit-codes.ts";
import type { CommandName, ResolvedOptions } from "./options.ts";

type BodyName = "runScan" | "runAudit" | "runLock" | "runInstall" | "runRules" | "runCacheInfo" | "runCacheClean" | "runDoctor";

interface Command {
  description: string;
  body: BodyName;
}

export const COMMANDS: Record<CommandName, Command> = {
  scan: { description: "download, statically scan, install and import the requirements in a traced sandbox, then audit them (the default command)", body: "runScan" },
  audit: { description: "check pinned requirements for known malware, known vulnerabilities and too-recent uploads, without running them", body: "runAudit" },
  lock: { description: "scan, then write a lock file (-l, --pylock) of exactly the scanned artifacts", body: "runLock" },
  install: { description: "scan, then install exactly the scanned artifacts into the current environment", body: "runInstall" },
  rules: { description: "list the detection rules (built-in packs plus --rules) and check rule packs", body: "runRules" },
  "cache info": { description: "show where the metadata cache is and what it holds", body: "runCacheInfo" },
  "cache clean": { description: "remove the metadata cache", body: "runCacheClean" },
  doctor: { description: "check that this machine (or container) can run a scan, and print the fix for each problem", body: "runDoctor" },
};

/** The first command word; `cache` takes an action as its second. */
export const TOP_COMMANDS: ReadonlyArray<Exclude<CommandName, `cache ${string}`> | "cache"> = ["scan", "audit", "lock", "install", "rules", "cache", "doctor"];

export const CACHE_DESCRIPTION = "inspect or clean the metadata cache";
export const CACHE_ACTIONS: ReadonlyMap<string, CommandName> = new Map([
  ["info", "cache info"],
  ["clean", "cache clean"],
]);

export const MAIN_DESCRIPTION = "stops malicious Python packages before they reach this machine; without a command it runs scan";

export async function runCommand(command: CommandName, options: ResolvedOptions): Promise<ExitCodeValue> {
  const bodies = await import("./command-bodies.ts");
  return bodies[COMMANDS[command].body](options);
}
