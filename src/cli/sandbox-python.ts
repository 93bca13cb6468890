/**
 * The interpreter the sandbox runs pip and the packages with. In an activated venv `python3` is
 * the venv's interpreter, whose pip lives inside the venv, outside the Python installation that
 * the sandbox binds read-only, so pip cannot start in the sandbox. The venv's base interpreter is
 * the same Python (version, standard library), so the scan uses that one instead.
 */
const BASE_EXECUTABLE = "import sys; print(sys._base_executable if sys.prefix != sys.base_prefix else sys.executable)";

/** Environment for the probe: nothing that changes how Python starts. */
function probeEnvironment(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith("PYTHON")) env[key] = value;
  }
  return env;
}

/**
 * The base interpreter behind `command` when it is a venv's, else `command` unchanged (also when
 * it cannot be run: the scan's own precondition check then says what to install).
 */
export function sandboxPython(command = "python3"): string {
  const resolved = Bun.which(command, { PATH: process.env.PATH ?? "" });
  if (!resolved) return command;
  const probe = Bun.spawnSync([resolved, "-I", "-c", BASE_EXECUTABLE], { env: probeEnvironment(), stdout: "pipe", stderr: "ignore" });
  const base = probe.stdout.toString().trim();
  return probe.exitCode === 0 && base.startsWith("/") ? base : command;
}
