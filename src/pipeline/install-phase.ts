import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ScanFailedError } from "../core/errors.ts";
import { PIP_COMMON_ARGS, pipCommand } from "../fetch/pip-command.ts";
import { requirementFiles } from "../fetch/requirements-file.ts";
import type { RequirementSet } from "../core/requirements.ts";
import { DEFAULT_TIMEOUTS, downloadDirs, readOnlyDownloads, type ScanContext } from "./context.ts";
import { createVenv } from "./venv.ts";

/** pip install from the downloaded files only into a fresh venv; false when blocked. */
export async function installPhase(context: ScanContext, set: RequirementSet, venv: string): Promise<boolean> {
  const { environment, runner, options } = context;
  const installFiles = requirementFiles(set, { dropUrls: true });
  const requirementsPath = join(environment.workDir, "install-requirements.txt");
  writeFileSync(requirementsPath, installFiles.requirements);
  const index = set.index;
  const offline = [
    "--no-index",
    "--find-links", downloadDirs(environment).artifactDir,
    "--find-links", downloadDirs(environment).buildDir,
    ...(index.pre ? ["--pre"] : []),
    ...(index.onlyBinary.length > 0 ? ["--only-binary", index.onlyBinary.join(",")] : []),
  ];
  context.progress("Installing into a fresh venv in the sandbox (no network)…");
  const venvPython = createVenv(venv, environment.python);
  // The host's pip run by the venv's interpreter, as `pip --python` would do after starting twice.
  const pip = pipCommand(venvPython, environment.python.pipRunner, { site: true }, "install");
  const outcome = await runner.run({
    phase: "install",
    timeoutSeconds: options.timeouts?.install ?? DEFAULT_TIMEOUTS.install,
    mounts: readOnlyDownloads(environment),
    steps: [
      {
        argv: [...pip, ...PIP_COMMON_ARGS, "--no-warn-script-location", ...offline, "-r", requirementsPath, "-c", join(environment.workDir, "constraints.txt")],
        required: true,
        package: undefined,
        label: "pip install",
      },
    ],
  });
  context.findings.push(...outcome.findings);
  if (outcome.blocked) return false;
  if (outcome.failedStep) {
    const tail = outcome.result.outputTail.trim().split("\n").slice(-15).join("\n");
    throw new ScanFailedError(`${outcome.failedStep.label} failed in the sandbox:\n${tail}`);
  }
  return true;
}

