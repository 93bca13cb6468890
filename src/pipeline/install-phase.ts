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
import { createVenv, venvPython } from "./venv.ts";

type SandboxTools = { bwrap: string; strace: string };

function failureTail(output: string): string {
  return output.trim().split("\n").slice(-15).join("\n");
}

/**
 * Builds every downloaded sdist into a wheel, once, traced (phase "install": this is where an
 * sdist's build code runs, as it did when pip installed sdists directly). `pip wheel` asks for
 * each by name and version from the download folder, so pip unpacks it under its name and the
 * build is blamed on that project; build isolation and the build requirements are those of the
 * fetch phase, offline. The venv holds the downloaded wheels by now: it is read-only to build
 * code, and a write to it, to the downloads or to the built wheels is `artifact-tampering`.
 * Returns the artifacts with `builtWheel` set on each sdist; undefined when blocked.
 */
async function buildSdists(context: ScanContext, set: RequirementSet, sdists: Artifact[], artifacts: Artifact[], builtDir: string, venv: string): Promise<Artifact[] | undefined> {
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
    mounts: [...readOnlyDownloads(environment), { kind: "ro-bind", source: venv, dest: venv }],
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

function builtWheelsDir(context: ScanContext): string {
  return join(context.environment.workDir, "built-wheels");
}

/**
 * Installs wheel files into the venv: `pip install --no-deps --no-index` of exactly those files,
 * no second resolution. Installing a wheel runs none of its code (pip unzips it, writes RECORD and
 * script wrappers and compiles .pyc files, which parses but never executes; .pth files run only
 * at interpreter start-up, in the traced import phase), so this runs in the sandbox without a
 * trace: same mounts, no network, and strace following its processes only so the watchdog, or
 * `signal`, can kill them. Returns false when `signal` stopped it.
 */
async function installWheelFiles(context: ScanContext, tools: SandboxTools, wheels: string[], venv: string, signal: AbortSignal | undefined): Promise<boolean> {
  const { environment, options } = context;
  // The host's pip run by the venv's interpreter, as `pip --python` would do after starting twice.
  const pip = pipCommand(venvPython(venv), environment.python.pipRunner, { site: true }, "install");
  const builtDir = builtWheelsDir(context);
  const mounts: Mount[] = [...environment.mounts, ...readOnlyDownloads(environment), { kind: "ro-bind", source: builtDir, dest: builtDir }];
  const spawn = untracedSandboxSpawn({ tools, mounts, env: environment.env, controlDir: environment.controlDir, cwd: environment.workDir, signal });
  const timeoutSeconds = options.timeouts?.install ?? DEFAULT_TIMEOUTS.install;
  const argv = [...pip, ...PIP_COMMON_ARGS, "--no-warn-script-location", "--no-deps", "--no-index", ...wheels];
  const result = await spawn(argv, new Uint8Array(), timeoutSeconds * 1000);
  if (signal?.aborted) return false;
  if (result.timedOut) throw new ScanFailedError(`the install phase did not finish within ${timeoutSeconds} s; its sandbox was killed`, "give it more time with --timeout-install <seconds>");
  if (result.exitCode !== 0) throw new ScanFailedError(`pip install failed in the sandbox:\n${failureTail(`${result.stdout}\n${result.stderr}`)}`);
  return true;
}

/**
 * The first half of the install phase, which needs no verdict: a fresh venv with every downloaded
 * wheel installed (untraced, see installWheelFiles), while the static scan reads the same files.
 * Returns false when `signal` stopped it (the static scan blocked).
 */
export async function installDownloadedWheels(context: ScanContext, tools: SandboxTools, artifacts: Artifact[], venv: string, signal: AbortSignal): Promise<boolean> {
  createVenv(venv, context.environment.python);
  mkdirSync(builtWheelsDir(context));
  const wheels = artifacts.filter((artifact) => artifact.kind === "wheel").map((artifact) => artifact.path);
  return wheels.length === 0 || installWheelFiles(context, tools, wheels, venv, signal);
}

/**
 * The second half, which runs package code and so starts only after a static verdict that did not
 * block: the sdists built into wheels (traced, see buildSdists), then those wheels installed into
 * the same venv (untraced). Returns the artifacts, sdists carrying the wheel built from them;
 * undefined when blocked.
 */
export async function installSdists(context: ScanContext, set: RequirementSet, artifacts: Artifact[], venv: string, tools: SandboxTools): Promise<Artifact[] | undefined> {
  const sdists = artifacts.filter((artifact) => artifact.kind === "sdist");
  if (sdists.length === 0) return artifacts;
  const built = await buildSdists(context, set, sdists, artifacts, builtWheelsDir(context), venv);
  if (!built) return undefined;
  const wheels = built.flatMap((artifact) => (artifact.builtWheel ? [artifact.builtWheel.path] : []));
  context.progress(`Installing ${wheels.length} wheel(s) built from sdists into the venv in the sandbox (no network)…`);
  await installWheelFiles(context, tools, wheels, venv, undefined);
  return built;
}
