import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { ScanFailedError } from "../core/errors.ts";
import type { Artifact } from "../core/artifact.ts";
import { followAttributedItems } from "../events/attributed-items.ts";
import { collectArtifacts } from "../fetch/collect.ts";
import { PIP_COMMON_ARGS, pipCommand } from "../fetch/pip-command.ts";
import type { RequirementSet } from "../core/requirements.ts";
import type { Mount } from "../sandbox/bwrap.ts";
import { DEFAULT_TIMEOUTS, downloadDirs, readOnlyDownloads, type ScanContext } from "./context.ts";
import { untracedSandboxSpawn } from "./static-sandbox.ts";
import { createVenv } from "./venv.ts";

function failureTail(output: string): string {
  return output.trim().split("\n").slice(-15).join("\n");
}

/**
 * Builds every downloaded sdist into a wheel, once, traced (phase "install": this is where an
 * sdist's build code runs, as it did when pip installed sdists directly). `pip wheel` asks for
 * each by name and version from the download folder, so pip unpacks it under its name and the
 * build is blamed on that project; build isolation and the build requirements are those of the
 * fetch phase, offline. The venv does not exist yet: build code has nothing to tamper with there,
 * and a write to it, to the downloads or to the built wheels is `artifact-tampering`.
 * Returns the artifacts with `builtWheel` set on each sdist; undefined when blocked.
 */
async function buildSdists(context: ScanContext, set: RequirementSet, artifacts: Artifact[], builtDir: string, venv: string): Promise<Artifact[] | undefined> {
  const sdists = artifacts.filter((artifact) => artifact.kind === "sdist");
  if (sdists.length === 0) return artifacts;
  const { environment, runner, options } = context;
  const { artifactDir, buildDir } = downloadDirs(environment);
  const index = set.index;
  const offline = [
    "--no-index",
    "--find-links", artifactDir,
    "--find-links", buildDir,
    ...(index.pre ? ["--pre"] : []),
    ...(index.onlyBinary.length > 0 ? ["--only-binary", index.onlyBinary.join(",")] : []),
  ];
  context.progress(`Building ${sdists.length} sdist(s) into wheels in the sandbox (no network)…`);
  const pip = pipCommand(environment.python.executable, environment.python.pipRunner, { site: false }, "wheel");
  const stopFollowing = followAttributedItems(context.events, "install", sdists.map((sdist) => sdist.name));
  const outcome = await runner.run({
    phase: "install",
    timeoutSeconds: options.timeouts?.install ?? DEFAULT_TIMEOUTS.install,
    mounts: readOnlyDownloads(environment),
    protectedDirs: [artifactDir, buildDir, builtDir, venv],
    steps: [
      {
        argv: [...pip, ...PIP_COMMON_ARGS, "--no-deps", "--wheel-dir", builtDir, ...offline, ...sdists.map((sdist) => `${sdist.name}==${sdist.version}`)],
        required: true,
        package: undefined,
        label: "pip wheel (building the sdists)",
      },
    ],
  }).finally(stopFollowing);
  context.findings.push(...outcome.findings);
  if (outcome.blocked) return undefined;
  if (outcome.failedStep) throw new ScanFailedError(`${outcome.failedStep.label} failed in the sandbox:\n${failureTail(outcome.result.outputTail)}`);
  const built = await collectArtifacts(builtDir, environment.workDir);
  return artifacts.map((artifact) => {
    if (artifact.kind !== "sdist") return artifact;
    const wheel = built.find((candidate) => candidate.kind === "wheel" && candidate.name === artifact.name);
    if (!wheel) throw new ScanFailedError(`building ${artifact.filename} produced no wheel`, "check that the sdist builds with pip wheel");
    const { filename, path, sha256, size } = wheel;
    return { ...artifact, builtWheel: { filename, path, sha256, size } };
  });
}

/**
 * Installs the wheels, downloaded and built, into a fresh venv: `pip install --no-deps
 * --no-index` of exactly those files, no second resolution. Installing a wheel runs none of its
 * code (pip unzips it, writes RECORD and script wrappers and compiles .pyc files, which parses
 * but never executes; .pth files run only at interpreter start-up, in the traced import phase),
 * so this runs in the sandbox without a trace: same mounts, no network, and strace following its
 * processes only so the watchdog can kill them.
 */
async function installWheels(context: ScanContext, tools: { bwrap: string; strace: string }, wheels: string[], builtDir: string, venv: string): Promise<void> {
  const { environment, options } = context;
  context.progress(`Installing ${wheels.length} wheel(s) into a fresh venv in the sandbox (no network)…`);
  const venvPython = createVenv(venv, environment.python);
  // The host's pip run by the venv's interpreter, as `pip --python` would do after starting twice.
  const pip = pipCommand(venvPython, environment.python.pipRunner, { site: true }, "install");
  const mounts: Mount[] = [...environment.mounts, ...readOnlyDownloads(environment), { kind: "ro-bind", source: builtDir, dest: builtDir }];
  const spawn = untracedSandboxSpawn({ tools, mounts, env: environment.env, controlDir: environment.controlDir, cwd: environment.workDir });
  const timeoutSeconds = options.timeouts?.install ?? DEFAULT_TIMEOUTS.install;
  const argv = [...pip, ...PIP_COMMON_ARGS, "--no-warn-script-location", "--no-deps", "--no-index", ...wheels];
  const result = await spawn(argv, new Uint8Array(), timeoutSeconds * 1000);
  if (result.timedOut) throw new ScanFailedError(`the install phase did not finish within ${timeoutSeconds} s; its sandbox was killed`, "give it more time with --timeout-install <seconds>");
  if (result.exitCode !== 0) throw new ScanFailedError(`pip install failed in the sandbox:\n${failureTail(`${result.stdout}\n${result.stderr}`)}`);
}

/**
 * The install phase: sdists built into wheels (traced), then every wheel installed into a fresh
 * venv (untraced, see installWheels). Returns the artifacts, sdists carrying the wheel built from
 * them; undefined when blocked.
 */
export async function installPhase(context: ScanContext, set: RequirementSet, artifacts: Artifact[], venv: string, tools: { bwrap: string; strace: string }): Promise<Artifact[] | undefined> {
  const builtDir = join(context.environment.workDir, "built-wheels");
  mkdirSync(builtDir);
  const built = await buildSdists(context, set, artifacts, builtDir, venv);
  if (!built) return undefined;
  const wheels = built.map((artifact) => artifact.builtWheel?.path ?? artifact.path);
  await installWheels(context, tools, wheels, builtDir, venv);
  return built;
}
