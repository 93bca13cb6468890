/**
 * Every option once: names, kind, help text and default, where else it may be set, and which
 * commands take it. Parsing, configuration sources and --help are all driven by this table.
 */
import type { CommandName } from "./options.ts";

export type OptionKind = "boolean" | "string" | "list";

type OptionGroup = "input" | "index" | "resolve" | "cache" | "audit" | "rules" | "rule-cases" | "sandbox" | "lock" | "output" | "report" | "dry-run";

export interface OptionSpec {
  /** Long name, kebab-case; `--<name>`. */
  name: string;
  short?: string;
  kind: OptionKind;
  valueHint?: string;
  description: string;
  /** Shown as "(Default: …)" in --help. */
  defaultText: string;
  group: OptionGroup;
  /** Why the option may not come from [tool.pipcanary]: a project file must not weaken the scan or run code. */
  notFromProject?: string;
  /** Only on the command line (and no PIPCANARY_* variable). */
  commandLineOnly?: boolean;
}

const NOT_FROM_PROJECT_SAFETY = "a project file must not be able to weaken the sandbox";
/** A pull request that edits the project file must not be able to switch a check off. */
const NOT_FROM_PROJECT_SCAN = "a project file must not be able to weaken the scan";

const KNOWN_MALWARE_DATA = "a project file must not be able to choose or silence the known-malware check";


export const OPTION_SPECS: readonly OptionSpec[] = [
  { name: "requirement", short: "r", kind: "list", valueHint: "FILE", group: "input", description: "requirements file or lock file (uv.lock, poetry.lock, pylock.toml) to scan (repeatable)", defaultText: "./pylock.toml, ./uv.lock or ./poetry.lock if there is one, else ./pyproject.toml if it declares dependencies, else ./requirements.txt" },
  { name: "project", short: "p", kind: "string", valueHint: "FILE", group: "input", description: "pyproject.toml to scan ([project], [dependency-groups] and Poetry tables)", defaultText: "./pyproject.toml", notFromProject: "it is the file being read" },
  { name: "extra", kind: "list", valueHint: "NAME", group: "input", description: "include this extra of the project's optional dependencies (repeatable)", defaultText: "no extras" },
  { name: "all-extras", kind: "boolean", group: "input", description: "include every extra of the project's optional dependencies", defaultText: "false" },
  { name: "group", kind: "list", valueHint: "NAME", group: "input", description: "include this dependency group, PEP 735 or Poetry (repeatable)", defaultText: "no groups" },
  { name: "locked-requirement", short: "l", kind: "string", valueHint: "FILE", group: "lock", description: "write a requirements file pinning exactly the scanned artifacts, with their hashes", defaultText: "none" },
  { name: "pylock", kind: "string", valueHint: "FILE", group: "lock", description: "write a PEP 751 pylock.toml of exactly the scanned artifacts", defaultText: "none" },
  { name: "cool-down-phase-days", short: "c", kind: "string", valueHint: "N", group: "audit", description: "uploads younger than this are too recent: days, or a duration such as 36h, 1d12h or P7D; 0 disables", defaultText: "7" },
  { name: "max-upload-time", kind: "string", valueHint: "ISO", group: "audit", description: "uploads after this time (ISO 8601, UTC unless an offset is given) are too recent", defaultText: "none" },
  { name: "allow-upload-time", short: "a", kind: "list", valueHint: "NAME<=ISO", group: "audit", description: "accept uploads of NAME up to this time despite the cool-down (repeatable)", defaultText: "none", notFromProject: NOT_FROM_PROJECT_SCAN },
  { name: "hold-back-recent", kind: "boolean", group: "resolve", description: "resolve as if uploads younger than the cool-down (and not allowed by -a) did not exist, as uv's exclude-newer does: unpinned requirements get the newest release old enough; the report names what was held back", defaultText: "false" },
  { name: "index-url", short: "i", kind: "string", valueHint: "URL", group: "index", description: "package index (PEP 503/691 simple API)", defaultText: "https://pypi.org/simple", notFromProject: NOT_FROM_PROJECT_SCAN },
  { name: "extra-index-url", kind: "list", valueHint: "URL", group: "index", description: "additional package index (repeatable)", defaultText: "none", notFromProject: NOT_FROM_PROJECT_SCAN },
  { name: "pre", kind: "boolean", group: "index", description: "allow pre-release versions", defaultText: "false" },
  { name: "only-binary", kind: "list", valueHint: "NAMES", group: "index", description: "refuse sdists of these packages (comma-separated, or :all:) (repeatable)", defaultText: "none" },
  { name: "offline", kind: "boolean", group: "index", description: "use only cached metadata and offline vulnerability data", defaultText: "false" },
  { name: "cache-dir", kind: "string", valueHint: "DIR", group: "cache", description: "cache directory: package metadata, static facts and behavioural verdicts", defaultText: "$XDG_CACHE_HOME/pipcanary or ~/.cache/pipcanary", notFromProject: "a project file must not be able to supply cached metadata" },
  { name: "ignore-vuln", kind: "list", valueHint: "ID", group: "audit", description: "ignore this vulnerability id or alias (repeatable)", defaultText: "none", notFromProject: NOT_FROM_PROJECT_SCAN },
  { name: "vuln-service", kind: "string", valueHint: "pypi|osv", group: "audit", description: "where known vulnerabilities come from", defaultText: "pypi" },
  { name: "vuln-db", kind: "string", valueHint: "PATH", group: "audit", description: "offline OSV export (directory of records or all.zip) instead of a service", defaultText: "none", notFromProject: NOT_FROM_PROJECT_SCAN },
  { name: "osv-url", kind: "string", valueHint: "URL", group: "audit", description: "OSV API for known malware (and --vuln-service osv)", defaultText: "https://api.osv.dev", notFromProject: KNOWN_MALWARE_DATA },
  { name: "malware-db", kind: "string", valueHint: "PATH", group: "audit", description: "offline copy of ossf/malicious-packages (checkout or zip) instead of the OSV API for known malware", defaultText: "none", notFromProject: KNOWN_MALWARE_DATA },
  { name: "allow-known-malware", kind: "list", valueHint: "MAL-ID", group: "audit", description: "let a release that this known-malware record names through; always shown in the report (repeatable)", defaultText: "none", notFromProject: KNOWN_MALWARE_DATA },
  { name: "do-not-scan", kind: "list", valueHint: "NAME", group: "sandbox", description: "do not import this package in the behavioural scan (repeatable)", defaultText: "none", notFromProject: NOT_FROM_PROJECT_SCAN },
  { name: "allowlist", kind: "list", valueHint: "NAME", group: "rules", description: "lower this package's static findings by one level; findings of never-lowered rules (.pth code, exec of decoded data, unsafe archives) stay blocking (repeatable)", defaultText: "none", notFromProject: NOT_FROM_PROJECT_SCAN },
  { name: "allow-name", kind: "list", valueHint: "NAME", group: "rules", description: "accept this package name although it is one letter away from a popular project (a typosquatting look-alike blocks the scan otherwise) (repeatable)", defaultText: "none", notFromProject: NOT_FROM_PROJECT_SCAN },
  { name: "rules", kind: "list", valueHint: "FILE|DIR", group: "rules", description: "additional YAML rule pack, or a directory of them (repeatable)", defaultText: "built-in packs only" },
  { name: "test", kind: "string", valueHint: "DIR", group: "rule-cases", description: "run the cases beside the rule packs in DIR (<pack>.cases.yaml next to <pack>.yaml) through the real matchers instead of listing rules; each failing case is named with file:line, expected and got, and the exit code is 1", defaultText: "none", notFromProject: "it changes what the command does" },
  { name: "plugin", kind: "list", valueHint: "FILE", group: "rules", description: "TypeScript plugin file, loaded at run time; its hooks run in pipcanary's process, not in the sandbox (repeatable; see plugins/README.md)", defaultText: "none", notFromProject: "a plugin runs outside the sandbox" },
  { name: "pass-env", kind: "list", valueHint: "NAME", group: "sandbox", description: "let this host environment variable into the sandbox (repeatable)", defaultText: "none", notFromProject: NOT_FROM_PROJECT_SAFETY },
  { name: "timeout-fetch", kind: "string", valueHint: "SECONDS", group: "sandbox", description: "time limit of the fetch phase", defaultText: "600" },
  { name: "timeout-install", kind: "string", valueHint: "SECONDS", group: "sandbox", description: "time limit of the install phase", defaultText: "300" },
  { name: "timeout-import", kind: "string", valueHint: "SECONDS", group: "sandbox", description: "time limit of the import phase", defaultText: "120" },
  { name: "exercise-seconds", kind: "string", valueHint: "SECONDS", group: "sandbox", description: "time budget per distribution for importing its modules, loading its entry points and running its scripts; what is left when it runs out is skipped and reported", defaultText: "5", notFromProject: NOT_FROM_PROJECT_SCAN },
  { name: "grace-seconds", kind: "string", valueHint: "SECONDS", group: "sandbox", description: "how long threads, timers and processes still running after package code finished are watched before they are reported as lingering and killed", defaultText: "2", notFromProject: NOT_FROM_PROJECT_SCAN },
  { name: "no-verdict-cache", kind: "boolean", group: "sandbox", description: "neither reuse nor record the behavioural verdict of this exact set of files (the verdict cache under --cache-dir and --verdict-cache)", defaultText: "false" },
  { name: "verdict-cache", kind: "string", valueHint: "URL", group: "sandbox", description: "Redis (redis://[user:pass@]host:port/db or rediss://…) shared by runners as a second verdict cache behind the local one; entries are authenticated with HMAC-SHA256 under the PIPCANARY_CACHE_KEY environment variable, which is required", defaultText: "none", notFromProject: "a project file must not choose where verdicts come from" },
  { name: "verdict-cache-readonly", kind: "boolean", group: "sandbox", description: "reuse cached verdicts but never write any (for untrusted jobs such as pull requests)", defaultText: "false" },
  { name: "trace-file", short: "t", kind: "string", valueHint: "FILE", group: "sandbox", description: "write the raw strace output to this file", defaultText: "none", notFromProject: "a project file must not choose where pipcanary writes" },
  { name: "temporary-directory", kind: "string", valueHint: "DIR", group: "sandbox", description: "where per-run work directories are created", defaultText: "$TMPDIR or /tmp", notFromProject: "a project file must not choose where pipcanary writes" },
  { name: "log-level", kind: "string", valueHint: "silent|error|warn|info|debug", group: "output", description: "how much progress and diagnostics to print on stderr", defaultText: "info" },
  { name: "format", kind: "string", valueHint: "text|json|sarif", group: "output", description: "format of the results on stdout", defaultText: "text" },
  { name: "quiet", short: "q", kind: "boolean", group: "output", description: "print only the verdict line and errors (same as --log-level error; the text report shrinks to its verdict line)", defaultText: "false" },
  { name: "verbose", short: "v", kind: "boolean", group: "output", description: "print debug diagnostics too (same as --log-level debug)", defaultText: "false" },
  { name: "output", short: "o", kind: "list", valueHint: "FORMAT:FILE", group: "report", description: "also write the report as FORMAT (text, json or sarif) to FILE, atomically and also when the run fails, while --format still goes to stdout (repeatable)", defaultText: "none", notFromProject: "a project file must not choose where pipcanary writes" },
  { name: "dry-run", kind: "boolean", group: "dry-run", description: "print the requirement set that would be scanned and exit", defaultText: "false", notFromProject: "it changes what the command does" },
];

export const HELP_SPECS: readonly OptionSpec[] = [
  { name: "help", short: "h", kind: "boolean", group: "output", description: "show this help", defaultText: "false", commandLineOnly: true },
  { name: "version", kind: "boolean", group: "output", description: "print the version", defaultText: "false", commandLineOnly: true },
];

const SCANNING: readonly OptionGroup[] = ["input", "index", "resolve", "cache", "audit", "rules", "sandbox", "lock", "output", "report", "dry-run"];

const COMMAND_GROUPS: Record<CommandName, readonly OptionGroup[]> = {
  scan: SCANNING,
  audit: ["input", "index", "cache", "audit", "output", "report", "dry-run"],
  lock: SCANNING,
  install: SCANNING,
  rules: ["rules", "rule-cases", "output"],
  "cache info": ["cache", "output"],
  "cache clean": ["cache", "output"],
  doctor: ["cache", "output"],
};

/** Single options a command takes outside its groups: doctor checks the index and the temporary directory a scan would use. */
const COMMAND_EXTRAS: Partial<Record<CommandName, readonly string[]>> = { doctor: ["index-url", "temporary-directory"] };

export function optionsOf(command: CommandName): OptionSpec[] {
  const groups = COMMAND_GROUPS[command];
  const extras = COMMAND_EXTRAS[command] ?? [];
  return OPTION_SPECS.filter((spec) => groups.includes(spec.group) || extras.includes(spec.name));
}

export function findOption(name: string): OptionSpec | undefined {
  return [...OPTION_SPECS, ...HELP_SPECS].find((spec) => spec.name === name || spec.short === name);
}

/** `PIPCANARY_COOL_DOWN_PHASE_DAYS` for `cool-down-phase-days`. */
export function envName(spec: OptionSpec): string {
  return `PIPCANARY_${spec.name.toUpperCase().replace(/-/g, "_")}`;
}
