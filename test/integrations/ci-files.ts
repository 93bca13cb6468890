/**
 * Shared by the integration tests: the CI files read as their hosts read them, a `pipcanary` on
 * PATH that is either a recorder (argv only) or the real CLI (`bun src/main.ts`), the composite
 * action's steps run as GitHub runs them, and every recorded command line checked against the
 * CLI's own command and option tables.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { splitCommand } from "../../src/cli/argv.ts";
import { HELP_SPECS, optionsOf } from "../../src/cli/option-table.ts";
import { BUN, MAIN } from "../cli/run-cli.ts";

export const ROOT = join(import.meta.dir, "..", "..");

export function readYaml(path: string): unknown {
  return parse(readFileSync(join(ROOT, path), "utf8"));
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function field(value: unknown, ...keys: string[]): unknown {
  let current = value;
  for (const key of keys) current = isRecord(current) ? current[key] : undefined;
  return current;
}

export function text(value: unknown, what: string): string {
  if (typeof value !== "string") throw new Error(`${what} is not a string`);
  return value;
}

/**
 * A directory holding an executable `pipcanary`: with `record`, a script that appends its argv as
 * one JSON line to that file and exits with $FAKE_EXIT (0 unless set); otherwise the real CLI.
 */
export function pipcanaryBin(dir: string, record?: string): string {
  mkdirSync(dir, { recursive: true });
  const body = record
    ? `#!/usr/bin/env bash\n${BUN} -e 'console.log(JSON.stringify(process.argv.slice(1)))' -- "$@" >> '${record}'\nexit "\${FAKE_EXIT:-0}"\n`
    : `#!/usr/bin/env bash\nexec '${BUN}' '${MAIN}' "$@"\n`;
  writeFileSync(join(dir, "pipcanary"), body);
  chmodSync(join(dir, "pipcanary"), 0o755);
  return dir;
}

export function recordedCalls(record: string): string[][] {
  let content = "";
  try {
    content = readFileSync(record, "utf8");
  } catch {
    return [];
  }
  return content
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as string[]);
}

/** What is wrong with one pipcanary command line: unknown commands, options not of that command, positionals. */
export function invocationProblems(argv: readonly string[]): string[] {
  let line: ReturnType<typeof splitCommand>;
  try {
    line = splitCommand(argv);
  } catch (error) {
    return [error instanceof Error ? error.message : String(error)];
  }
  const specs = [...optionsOf(line.command), ...HELP_SPECS];
  const problems: string[] = [];
  for (let i = 0; i < line.args.length; i++) {
    const token = line.args[i] ?? "";
    const name = token.startsWith("--") ? token.slice(2).split("=")[0] : token.startsWith("-") && token.length === 2 ? token.slice(1) : undefined;
    if (name === undefined) {
      problems.push(`unexpected argument "${token}" of pipcanary ${line.command}`);
      continue;
    }
    const spec = specs.find((candidate) => candidate.name === name || candidate.short === name);
    if (!spec) problems.push(`pipcanary ${line.command} has no option ${token}`);
    else if (spec.kind !== "boolean" && !token.includes("=")) i++;
  }
  return problems;
}

export interface StepRun {
  code: number;
  stdout: string;
  stderr: string;
  /** What the step wrote to $GITHUB_OUTPUT. */
  outputs: Record<string, string>;
}

/** Values for `${{ … }}` expressions: `inputs.x`, `steps.id.outputs.y`, `github.x`, `runner.x`. */
export type Expressions = Record<string, string>;

/** Replaces every `${{ name }}`; an expression the test did not provide is an error, not an empty string. */
export function substitute(value: string, expressions: Expressions): string {
  return value.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, name: string) => {
    const resolved = expressions[name];
    if (resolved === undefined) throw new Error(`no value for \${{ ${name} }}`);
    return resolved;
  });
}

/** Runs a composite step's `run` as GitHub does (`bash --noprofile --norc -eo pipefail`), with its env resolved. */
export async function runStep(step: unknown, expressions: Expressions, options: { cwd: string; path: string; env?: Record<string, string> }): Promise<StepRun> {
  const script = text(field(step, "run"), "the step's run");
  const stepEnv = field(step, "env");
  const env: Record<string, string> = { PATH: options.path, HOME: process.env.HOME ?? "/root", ...options.env };
  if (isRecord(stepEnv)) for (const [key, value] of Object.entries(stepEnv)) env[key] = substitute(String(value), expressions);
  const outputFile = join(options.cwd, `github-output-${Date.now()}-${Math.random().toString(16).slice(2)}`);
  writeFileSync(outputFile, "");
  env.GITHUB_OUTPUT = outputFile;
  const scriptFile = `${outputFile}.sh`;
  writeFileSync(scriptFile, script);
  const result = await runProcess(["bash", "--noprofile", "--norc", "-eo", "pipefail", scriptFile], { cwd: options.cwd, env });
  const outputs: Record<string, string> = {};
  for (const entry of readFileSync(outputFile, "utf8").split("\n")) {
    const eq = entry.indexOf("=");
    if (eq > 0) outputs[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return { ...result, outputs };
}

/** The action's inputs with their defaults, then `given`, as `inputs.<name>` expressions. */
export function inputExpressions(action: unknown, given: Record<string, string>): Expressions {
  const expressions: Expressions = {};
  const inputs = field(action, "inputs");
  if (isRecord(inputs)) for (const [name, spec] of Object.entries(inputs)) expressions[`inputs.${name}`] = String(field(spec, "default") ?? "");
  for (const [name, value] of Object.entries(given)) expressions[`inputs.${name}`] = value;
  return expressions;
}

export function actionStep(action: unknown, name: string): unknown {
  const steps = field(action, "runs", "steps");
  const step = Array.isArray(steps) ? steps.find((candidate) => field(candidate, "name") === name) : undefined;
  if (!step) throw new Error(`action.yml has no step "${name}"`);
  return step;
}

export async function runProcess(argv: string[], options: { cwd: string; env: Record<string, string> }): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = Bun.spawn(argv, { cwd: options.cwd, env: options.env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { code, stdout, stderr };
}
