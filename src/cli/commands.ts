/**
 * The command tree (citty): `scan` is the default, `cache` has `info` and `clean`. Every command
 * receives its ResolvedOptions as citty's `data` and calls one body; bodies are imported lazily so
 * that --help and --version stay fast.
 */
import { type ArgsDef, type CommandDef, defineCommand } from "citty";
import pkg from "../../package.json" with { type: "json" };
import type { ExitCodeValue } from "../core/exit-codes.ts";
import { HELP_SPECS, optionsOf } from "./option-table.ts";
import type { CommandName, ResolvedOptions } from "./options.ts";

type BodyName = "runScan" | "runAudit" | "runLock" | "runInstall" | "runRules" | "runCacheInfo" | "runCacheClean" | "runDoctor";

function argsFor(command: CommandName): ArgsDef {
  const args: ArgsDef = {};
  for (const spec of [...optionsOf(command), ...HELP_SPECS]) {
    const alias = spec.short ? [spec.short] : undefined;
    args[spec.name] =
      spec.kind === "boolean"
        ? { type: "boolean", description: spec.description, alias, default: false }
        : { type: "string", description: spec.description, alias, valueHint: spec.valueHint, default: spec.defaultText };
  }
  return args;
}

function leaf(command: CommandName, description: string, body: BodyName): CommandDef {
  return defineCommand({
    meta: { name: `pipcanary ${command}`, description, version: pkg.version },
    args: argsFor(command),
    async run({ data }): Promise<ExitCodeValue> {
      const bodies = await import("./command-bodies.ts");
      return bodies[body](data as ResolvedOptions);
    },
  });
}

export const COMMANDS: Record<CommandName, CommandDef> = {
  scan: leaf("scan", "download, statically scan, install and import the requirements in a traced sandbox, then audit them (the default command)", "runScan"),
  audit: leaf("audit", "check pinned requirements for known malware, known vulnerabilities and too-recent uploads, without running them", "runAudit"),
  lock: leaf("lock", "scan, then write a lock file (-l, --pylock) of exactly the scanned artifacts", "runLock"),
  install: leaf("install", "scan, then install exactly the scanned artifacts into the current environment", "runInstall"),
  rules: leaf("rules", "list the detection rules (built-in packs plus --rules) and check rule packs", "runRules"),
  "cache info": leaf("cache info", "show where the metadata cache is and what it holds", "runCacheInfo"),
  "cache clean": leaf("cache clean", "remove the metadata cache", "runCacheClean"),
  doctor: leaf("doctor", "check that this machine (or container) can run a scan, and print the fix for each problem", "runDoctor"),
};

const CACHE: CommandDef = defineCommand({
  meta: { name: "pipcanary cache", description: "inspect or clean the metadata cache", version: pkg.version },
  args: argsFor("cache info"),
  subCommands: { info: COMMANDS["cache info"], clean: COMMANDS["cache clean"] },
});

export const MAIN: CommandDef = defineCommand({
  meta: {
    name: "pipcanary",
    version: pkg.version,
    description: "stops malicious Python packages before they reach this machine; without a command it runs scan",
  },
  args: argsFor("scan"),
  subCommands: { scan: COMMANDS.scan, audit: COMMANDS.audit, lock: COMMANDS.lock, install: COMMANDS.install, rules: COMMANDS.rules, cache: CACHE, doctor: COMMANDS.doctor },
});

/** The definition --help describes for the command words given (`[]`, `["cache"]`, …). */
export function helpTarget(words: readonly string[]): CommandDef {
  const [first, second] = words;
  if (first === undefined) return MAIN;
  if (first === "cache") return second === "clean" ? COMMANDS["cache clean"] : second === "info" ? COMMANDS["cache info"] : CACHE;
  return COMMANDS[first as CommandName] ?? MAIN;
}
