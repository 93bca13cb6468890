import { join } from "node:path";
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
 * own root is put on sys.path just for importing pip, as the runner's finder does.
 */
export function writeUnpackCopyingRunner(environment: SandboxEnvironment, dir: string): string {
  const runner = environment.python.pipRunner;
  const script = [
    "import os, runpy, shutil, sys",
    `RUNNER = ${JSON.stringify(runner)}`,
    `COPIES = ${JSON.stringify(dir)}`,
    "sys.path.insert(0, os.path.dirname(os.path.dirname(RUNNER)))",
    "from pip._internal.operations import prepare",
    "sys.path.pop(0)",
    "_unpack_file = prepare.unpack_file",
    "def unpack_file(filename, location, *args, **kwargs):",
    "    shutil.copyfile(filename, os.path.join(COPIES, os.path.basename(filename)))",
    "    return _unpack_file(filename, location, *args, **kwargs)",
    "prepare.unpack_file = unpack_file",
    "sys.argv[0] = RUNNER",
    "runpy.run_path(RUNNER, run_name='__main__')",
    "",
  ].join("\n");
  return writeLibFile(environment, "pip_runner.py", script);
}
