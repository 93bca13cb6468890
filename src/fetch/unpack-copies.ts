import { join } from "node:path";
import script from "./pip_runner.py" with { type: "text" };
import { type SandboxEnvironment, writeLibFile } from "../sandbox/environment.ts";

/** Where pip leaves a copy of every archive it unpacks in the fetch phase. */
export function unpackCopiesDir(environment: SandboxEnvironment): string {
  return join(environment.workDir, "unpacked");
}

/**
 * A stand-in for pip's `__pip-runner__.py` that runs the same pip, but first copies each archive
 * pip is about to unpack into `dir`. pip downloads and unpacks sdists in its own process, into a
 * temp dir of the sandbox that is gone with it, before any package code runs; the copy is exactly
 * what it unpacks, so an archive whose members reach outside their folder can be blamed for what
 * pip then wrote through them (see fetch-phase.ts). The interpreter runs with `-I -S`, so pip's
 * own root is put on sys.path just for importing pip, as the runner's finder does. Returns the
 * runner with its own arguments (pip's runner and `dir`), which pipCommand puts before pip's.
 */
export function writeUnpackCopyingRunner(environment: SandboxEnvironment, dir: string): string[] {
  return [writeLibFile(environment, "pip_runner.py", script), environment.python.pipRunner, dir];
}
