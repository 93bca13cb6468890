/**
 * Merges the three option sources (command line > PIPCANARY_* environment > [tool.pipcanary];
 * list options are the union of all three, in that order reversed: project, environment, command
 * line) and validates every value, naming its source when one is wrong.
 */
import { existsSync, statSync } from "node:fs";
import { DEFAULT_COOL_DOWN_MS } from "../audit/cooldown.ts";
import { DEFAULT_OSV_URL } from "../audit/osv-api.ts";
import { parseVerdictCacheUrl } from "../cache/verdict-cache.ts";
import { homedir, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { InputError } from "../core/errors.ts";
import { normalizeName } from "../core/names.ts";
import { resolveCacheDir } from "../index/cache.ts";
import { displayPath } from "../inputs/input-file.ts";
import { applyOnlyBinary } from "../inputs/requirements-file.ts";
import type { CommandLineValues } from "./argv.ts";
import { enclosingProjectFile, notFromProjectHint, type Setting, type SettingSource, readEnvSettings, readProjectSettings } from "./config-sources.ts";
import { findOption, type OptionSpec, optionsOf } from "./option-table.ts";
import { logLevelOf, parseOutputTarget } from "./output.ts";
import {
  type CommandName,
  DEFAULT_COOL_DOWN_DAYS,
  DEFAULT_EXERCISE_SECONDS,
  DEFAULT_GRACE_SECONDS,
  DEFAULT_TIMEOUTS,
  LOG_LEVELS,
  OUTPUT_FORMATS,
  type ResolvedOptions,
  VULN_SERVICES,
} from "./options.ts";
import {
  parseAllowUploadTime,
  parseBoolean,
  parseChoice,
  parseCoolDown,
  parseEnvName,
  parseIndexUrl,
  parseHttpUrl,
  parseIsoTime,
  parseMalwareId,
  parseNonEmpty,
  parsePositiveSeconds,
  parseProjectName,
} from "./values.ts";

export interface ResolveInput {
  command: CommandName;
  commandLine: CommandLineValues;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface Resolution {
  options: ResolvedOptions;
  /** To print once the log level is known. */
  warnings: string[];
}

interface Value {
  text: string;
  source: SettingSource;
}

class Settings {
  private readonly bySource: Setting[][];

  /** Sources in precedence order, highest first. */
  constructor(bySource: Setting[][]) {
    this.bySource = bySource;
  }

  has(name: string): boolean {
    return this.bySource.some((settings) => settings.some((setting) => setting.spec.name === name));
  }

  scalar(name: string): Value | undefined {
    for (const settings of this.bySource) {
      const setting = settings.find((candidate) => candidate.spec.name === name);
      if (setting) return { text: setting.values[setting.values.length - 1] ?? "", source: setting.source };
    }
    return undefined;
  }

  list(name: string): Value[] {
    return [...this.bySource]
      .reverse()
      .flatMap((settings) => settings.filter((setting) => setting.spec.name === name).flatMap((setting) => setting.values.map((text) => ({ text, source: setting.source }))));
  }
}

function checked<T>(value: Value, name: string, parse: (text: string) => T): T {
  try {
    return parse(value.text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const where = value.source.label === "command line" ? `--${name}` : value.source.label;
    throw new InputError(`${where}: ${reason}`);
  }
}

/** Paths only [tool.pipcanary] names: one also given on the command line or in the environment is the operator's. */
function projectOnlyPaths(values: Value[]): string[] {
  const operators = new Set(values.filter((value) => value.source.origin === undefined).map(pathOf));
  return unique(values.filter((value) => value.source.origin !== undefined).map(pathOf).filter((path) => !operators.has(path)));
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

function expandHome(path: string): string {
  return path === "~" || path.startsWith("~/") ? join(homedir(), path.slice(1)) : path;
}

function pathOf(value: Value): string {
  return resolve(value.source.baseDir, expandHome(value.text.trim()));
}

function existing(kind: "file" | "directory" | "file or directory"): (value: Value, name: string) => string {
  return (value, name) =>
    checked(value, name, () => {
      const path = pathOf(value);
      if (!existsSync(path)) throw new Error(`${value.text} does not exist`);
      const isDirectory = statSync(path).isDirectory();
      if (kind === "file" && isDirectory) throw new Error(`${value.text} is a directory, not a file`);
      if (kind === "directory" && !isDirectory) throw new Error(`${value.text} is not a directory`);
      return path;
    });
}

/** pip users may reach for `-c constraints.txt`; in pipcanary -c is the cool-down. */
function coolDown(text: string, cwd: string): number {
  try {
    return parseCoolDown(text);
  } catch (error) {
    if (text.trim() !== "" && existsSync(resolve(cwd, text))) {
      throw new Error(`'${text}' is a file, but -c is --cool-down-phase-days in pipcanary; to use constraints, add a line '-c ${text}' to a requirements file`);
    }
    throw error;
  }
}

/** A project file may lengthen the cool-down, never shorten it. */
function coolDownSetting(settings: Settings, cwd: string): number {
  const value = settings.scalar("cool-down-phase-days");
  if (!value) return DEFAULT_COOL_DOWN_MS;
  const coolDownMs = checked(value, "cool-down-phase-days", (text) => coolDown(text, cwd));
  const spec = findOption("cool-down-phase-days");
  if (value.source.origin && spec && coolDownMs < DEFAULT_COOL_DOWN_MS) {
    throw new InputError(
      `[tool.pipcanary] cannot set 'cool-down-phase-days' shorter than the default of ${DEFAULT_COOL_DOWN_DAYS} days: a project file must not be able to weaken the scan`,
      value.source.origin,
      notFromProjectHint(spec),
    );
  }
  return coolDownMs;
}

/** [tool.pipcanary] comes from the project the input files belong to: -p, else the first -r file's project, else ./pyproject.toml. */
function configFileFor(settings: Settings, cwd: string): string | undefined {
  const project = settings.scalar("project");
  if (project) return pathOf(project);
  const inputs = settings.list("requirement");
  const first = inputs.find((value) => value.source.label === "command line") ?? inputs[0];
  if (first) return enclosingProjectFile(pathOf(first));
  const candidate = join(cwd, "pyproject.toml");
  return existsSync(candidate) ? candidate : undefined;
}

function commandLineSettings(values: CommandLineValues, specs: OptionSpec[], cwd: string): Setting[] {
  const source: SettingSource = { label: "command line", baseDir: cwd };
  return specs.flatMap((spec) => {
    const value = values.get(spec.name);
    if (value === undefined) return [];
    return [{ spec, values: typeof value === "boolean" ? [String(value)] : value, source }];
  });
}

export function resolveOptions(input: ResolveInput): Resolution {
  const warnings: string[] = [];
  const specs = optionsOf(input.command);
  const applies = (setting: Setting) => specs.includes(setting.spec);
  const fromCommandLine = commandLineSettings(input.commandLine, specs, input.cwd);
  const fromEnv = readEnvSettings(input.env, input.cwd, (message) => warnings.push(message)).filter(applies);
  const configFile = configFileFor(new Settings([fromCommandLine, fromEnv]), input.cwd);
  const fromProject = configFile ? readProjectSettings(configFile, displayPath(configFile, input.cwd)).filter(applies) : [];
  const settings = new Settings([fromCommandLine, fromEnv, fromProject]);

  const flag = (name: string) => {
    const value = settings.scalar(name);
    return value ? checked(value, name, parseBoolean) : false;
  };
  const scalar = <T>(name: string, parse: (text: string) => T): T | undefined => {
    const value = settings.scalar(name);
    return value ? checked(value, name, parse) : undefined;
  };
  const list = <T>(name: string, parse: (text: string) => T): T[] => unique(settings.list(name).map((value) => checked(value, name, parse)));
  const path = (name: string, check?: (value: Value, name: string) => string): string | undefined => {
    const value = settings.scalar(name);
    if (!value) return undefined;
    return check ? check(value, name) : pathOf(value);
  };
  const paths = (name: string, check?: (value: Value, name: string) => string): string[] =>
    unique(settings.list(name).map((value) => (check ? check(value, name) : pathOf(value))));

  const format = scalar("format", (text) => parseChoice(text, OUTPUT_FORMATS)) ?? "text";
  const dryRun = flag("dry-run");
  if (dryRun && format === "sarif") throw new InputError("--dry-run prints the requirement set as text or json, not sarif", undefined, "use --format text or --format json");

  const extras = list("extra", (text) => normalizeName(parseNonEmpty(text)));
  const allExtras = flag("all-extras");
  if (allExtras && extras.length > 0) throw new InputError("--extra and --all-extras cannot be used together", undefined, "name the extras with --extra, or include them all with --all-extras");
  const options: ResolvedOptions = {
    command: input.command,
    cwd: input.cwd,
    requirementFiles: paths("requirement"),
    projectFile: path("project"),
    extras: allExtras ? undefined : extras,
    groups: list("group", (text) => normalizeName(parseNonEmpty(text))),
    lockedRequirementFile: path("locked-requirement"),
    pylockFile: path("pylock"),
    coolDownMs: coolDownSetting(settings, input.cwd),
    maxUploadTime: scalar("max-upload-time", parseIsoTime),
    allowUploadTimes: list("allow-upload-time", parseAllowUploadTime),
    holdBackRecent: flag("hold-back-recent"),
    ignoreVulns: list("ignore-vuln", parseNonEmpty),
    vulnService: scalar("vuln-service", (text) => parseChoice(text, VULN_SERVICES)) ?? "pypi",
    vulnDb: path("vuln-db", existing("file or directory")),
    osvUrl: scalar("osv-url", parseHttpUrl) ?? DEFAULT_OSV_URL,
    malwareDb: path("malware-db", existing("file or directory")),
    allowKnownMalware: list("allow-known-malware", parseMalwareId),
    indexUrl: scalar("index-url", parseIndexUrl),
    extraIndexUrls: list("extra-index-url", parseIndexUrl),
    pre: flag("pre"),
    onlyBinary: list("only-binary", (text) => text).reduce<string[]>((current, value) => applyOnlyBinary(current, value), []),
    offline: flag("offline"),
    cacheDir: resolveCacheDir({ cacheDir: path("cache-dir"), env: input.env }),
    doNotScan: list("do-not-scan", parseProjectName),
    allowlist: list("allowlist", parseProjectName),
    allowNames: list("allow-name", parseProjectName),
    rulePaths: paths("rules", existing("file or directory")),
    projectRulePaths: projectOnlyPaths(settings.list("rules")),
    ruleCasesDir: path("test", existing("directory")),
    plugins: paths("plugin", existing("file")),
    passEnv: list("pass-env", parseEnvName),
    timeoutFetchSeconds: scalar("timeout-fetch", parsePositiveSeconds) ?? DEFAULT_TIMEOUTS.fetch,
    timeoutInstallSeconds: scalar("timeout-install", parsePositiveSeconds) ?? DEFAULT_TIMEOUTS.install,
    timeoutImportSeconds: scalar("timeout-import", parsePositiveSeconds) ?? DEFAULT_TIMEOUTS.import,
    exerciseSeconds: scalar("exercise-seconds", parsePositiveSeconds) ?? DEFAULT_EXERCISE_SECONDS,
    graceSeconds: scalar("grace-seconds", parsePositiveSeconds) ?? DEFAULT_GRACE_SECONDS,
    noVerdictCache: flag("no-verdict-cache"),
    verdictCache: scalar("verdict-cache", parseVerdictCacheUrl),
    verdictCacheReadonly: flag("verdict-cache-readonly"),
    traceFile: path("trace-file"),
    temporaryDirectory: path("temporary-directory", existing("directory")) ?? tmpdir(),
    logLevel: logLevelOf(scalar("log-level", (text) => parseChoice(text, LOG_LEVELS)), flag("quiet"), flag("verbose")),
    format,
    quiet: flag("quiet"),
    outputs: list("output", (text) => parseOutputTarget(text, input.cwd)),
    dryRun,
    explicitOptions: specs.filter((spec) => settings.has(spec.name)).map((spec) => spec.name),
    configFile,
  };
  if (options.holdBackRecent && options.coolDownMs === 0 && !options.maxUploadTime) {
    warnings.push("--hold-back-recent has no effect: the cool-down is off (--cool-down-phase-days 0) and no --max-upload-time is set");
  }
  for (const id of options.ignoreVulns.filter((value) => /^MAL-/i.test(value))) {
    warnings.push(`--ignore-vuln ${id} has no effect: known malware is never ignored as a vulnerability; --allow-known-malware ${id} lets it through, and the report says so`);
  }
  return { options, warnings };
}
