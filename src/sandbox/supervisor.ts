/**
 * The first process inside every sandbox: pipcanary's own code, so its trace events are never
 * blamed on a package. It runs the phase's steps one after another (each a direct child, which is
 * how the process tree ties a step to its package), optionally forwards the sandbox's only
 * network path, and after the last step waits up to the grace period while any other process of
 * the sandbox is still alive, so a double-forked payload that sleeps and then acts is still
 * traced. Its exit status says which step failed: 0 all fine, FIRST_FAILED_STEP_STATUS + i.
 *
 * It is started as a bare interpreter reading this program (with its plan) on stdin, so that no
 * process of the sandbox can see a script path or argument that names the scanner. The first
 * statement drops the working directory from sys.path (a stdin program gets it), which package
 * code can write to: nothing of the supervisor may be imported from there.
 */
import script from "./supervisor.py" with { type: "text" };
import { stdinProgram } from "./stdin-program.ts";

/** Exit status of the supervisor when step i failed: FIRST_FAILED_STEP_STATUS + i. */
export const FIRST_FAILED_STEP_STATUS = 100;

export interface SupervisorStep {
  argv: string[];
  cwd?: string;
  /** A failing required step ends the phase; optional ones (one import each) do not. */
  required: boolean;
  /** Text written to the step's stdin through a pipe (it exists in no file); else stdin is /dev/null. */
  stdin?: string;
  /** How long the supervisor waits for the step before it goes on, leaving it running; default: until it ends. */
  waitSeconds?: number;
}

export interface SupervisorPlan {
  /** Forward 127.0.0.1:port inside the sandbox to the egress proxy's unix socket. */
  forward: { port: number; socket: string } | undefined;
  steps: SupervisorStep[];
  graceSeconds: number;
  /** The steps' environment (the twin environment); the supervisor's own is supervisorEnvironment(). */
  env: Record<string, string>;
  failedBase: number;
}

/** The supervisor's program with its plan, for a bare interpreter's stdin. */
export function supervisorProgram(plan: SupervisorPlan): string {
  return stdinProgram(script, "main", plan);
}

/** Interpreter settings that would make the supervisor import or run files package code can write. */
const SUPERVISOR_UNSET = new Set(["PYTHONPATH", "PYTHONSTARTUP", "PYTHONINSPECT", "PYTHONUSERBASE"]);

/**
 * The supervisor's own environment: the steps' one without PYTHONPATH and with neither user site
 * nor working directory on sys.path, so that a file planted in the decoy home or the work dir in
 * one phase never runs inside the next phase's supervisor, whose events are blamed on no package.
 * The steps get the plan's environment back unchanged; package code sees this one only by reading
 * /proc/<pid>/environ, which is a blocking finding.
 */
export function supervisorEnvironment(env: Record<string, string>): Record<string, string> {
  const kept = Object.entries(env).filter(([name]) => !SUPERVISOR_UNSET.has(name));
  return { ...Object.fromEntries(kept), PYTHONNOUSERSITE: "1", PYTHONSAFEPATH: "1" };
}
