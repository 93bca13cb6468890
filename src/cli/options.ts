/**
 * The typed result of option resolution (command line > PIPCANARY_* environment >
 * [tool.pipcanary] in pyproject.toml, list options merged). Every command body receives one.
 */
import type { UploadTimeAllowance } from "../audit/cooldown.ts";
import type { IndexOptions } from "../core/requirements.ts";
import { DEFAULT_INDEX_URL } from "../index/urls.ts";

export type CommandName = "scan" | "audit" | "lock" | "install" | "rules" | "cache info" | "cache clean" | "doctor";
export type LogLevel = "silent" | "error" | "warn" | "info" | "debug";
export type OutputFormat = "text" | "json" | "sarif";
export type VulnService = "pypi" | "osv";

export const LOG_LEVELS: readonly LogLevel[] = ["silent", "error", "warn", "info", "debug"];
export const OUTPUT_FORMATS: readonly OutputFormat[] = ["text", "json", "sarif"];
export const VULN_SERVICES: readonly VulnService[] = ["pypi", "osv"];

export { DEFAULT_COOL_DOWN_DAYS } from "../audit/cooldown.ts";

/** One `-o FORMAT:FILE`. */
export interface OutputTarget {
  format: OutputFormat;
  file: string;
}
export { DEFAULT_EXERCISE_SECONDS, DEFAULT_GRACE_SECONDS, DEFAULT_TIMEOUTS } from "../pipeline/context.ts";

export interface ResolvedOptions {
  command: CommandName;
  /** Directory relative paths on the command line and in the environment are taken from. */
  cwd: string;

  /** `-r`, absolute paths in order. Empty with no `-p` means: discover ./pyproject.toml or ./requirements.txt. */
  requirementFiles: string[];
  /** `-p`, absolute. */
  projectFile: string | undefined;
  /** `--extra` (normalised); empty means no extra, undefined every extra (`--all-extras`). */
  extras: string[] | undefined;
  /** `--group` (normalised); empty means no group. */
  groups: string[];

  /** `-l`: where to write the locked requirements file. */
  lockedRequirementFile: string | undefined;
  /** `--pylock`: where to write pylock.toml. */
  pylockFile: string | undefined;

  /** `-c`: uploads younger than this are too recent; 0 disables the cool-down. */
  coolDownMs: number;
  /** `--max-upload-time`: uploads after this time are too recent. */
  maxUploadTime: Date | undefined;
  allowUploadTimes: UploadTimeAllowance[];
  /** `--hold-back-recent`: pip resolves against an index without the uploads the cool-down rejects. */
  holdBackRecent: boolean;
  /** `--ignore-vuln` ids or aliases, as given (compare case-insensitively). */
  ignoreVulns: string[];
  vulnService: VulnService;
  /** `--vuln-db`: offline OSV export (directory or all.zip), absolute. */
  vulnDb: string | undefined;
  /** `--osv-url`: the OSV API root. */
  osvUrl: string;
  /** `--malware-db`: offline copy of ossf/malicious-packages (directory or zip), absolute. */
  malwareDb: string | undefined;
  /** `--allow-known-malware`: MAL- ids let through, as given (compare case-insensitively). */
  allowKnownMalware: string[];

  /** `-i`; undefined when not given anywhere (see effectiveIndexOptions). */
  indexUrl: string | undefined;
  extraIndexUrls: string[];
  pre: boolean;
  /** `--only-binary`: normalised names, or [":all:"]. */
  onlyBinary: string[];
  offline: boolean;
  /** Absolute; defaults to $XDG_CACHE_HOME/pipcanary or ~/.cache/pipcanary. */
  cacheDir: string;

  /** `--do-not-scan`, normalised names. */
  doNotScan: string[];
  /** `--allowlist`: normalised names whose static findings are lowered by one level. */
  allowlist: string[];
  /** `--allow-name`: normalised names accepted although they look like a popular project's. */
  allowNames: string[];
  /** `--rules`: extra rule-pack files or directories, absolute. */
  rulePaths: string[];
  /** Those of `rulePaths` that only [tool.pipcanary] named: their packs may add rules, never except any. */
  projectRulePaths: string[];
  /** `rules --test DIR`: the directory whose packs' cases to run, absolute. */
  ruleCasesDir: string | undefined;
  /** `--plugin` files, absolute. */
  plugins: string[];
  /** `--pass-env`: host variables allowed into the sandbox. */
  passEnv: string[];
  timeoutFetchSeconds: number;
  timeoutInstallSeconds: number;
  timeoutImportSeconds: number;
  /** `--exercise-seconds`: time budget per distribution in the import phase. */
  exerciseSeconds: number;
  /** `--grace-seconds`: how long what outlives package code is still watched. */
  graceSeconds: number;
  /** `--no-verdict-cache`: run install and import even when a verdict for these files is cached. */
  noVerdictCache: boolean;
  /** `--verdict-cache`: the shared Redis level's URL. */
  verdictCache: string | undefined;
  /** `--verdict-cache-readonly`: read cached verdicts, write none. */
  verdictCacheReadonly: boolean;
  /** `-t`, absolute. */
  traceFile: string | undefined;
  /** Absolute; defaults to the system temp directory. */
  temporaryDirectory: string;

  logLevel: LogLevel;
  format: OutputFormat;
  /** `-q`: the text report is only its verdict line. */
  quiet: boolean;
  /** `-o FORMAT:FILE`, files absolute. */
  outputs: OutputTarget[];
  dryRun: boolean;

  /** Long names of the options that were set in any source. */
  explicitOptions: string[];
  /** The pyproject.toml whose [tool.pipcanary] table was read, if any. */
  configFile: string | undefined;
}

/**
 * Index options for the fetch stage. pip lets a requirements file's `--index-url` replace the
 * command line's; here an index given explicitly to pipcanary wins, then the files', then PyPI.
 * Extra indexes and find-links from both are used.
 */
export function effectiveIndexOptions(options: ResolvedOptions, fromFiles: IndexOptions): IndexOptions {
  const union = (a: string[], b: string[]) => [...new Set([...a, ...b])];
  const onlyBinary = options.onlyBinary.includes(":all:") || fromFiles.onlyBinary.includes(":all:") ? [":all:"] : union(fromFiles.onlyBinary, options.onlyBinary);
  return {
    indexUrl: options.indexUrl ?? fromFiles.indexUrl ?? DEFAULT_INDEX_URL,
    extraIndexUrls: union(fromFiles.extraIndexUrls, options.extraIndexUrls),
    findLinks: [...fromFiles.findLinks],
    pre: options.pre || fromFiles.pre,
    onlyBinary,
    noIndex: fromFiles.noIndex ?? false,
    preferBinary: fromFiles.preferBinary ?? false,
  };
}
