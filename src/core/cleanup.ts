import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ExitCode } from "./exit-codes.ts";

/**
 * One registry of teardown work (kill a sandbox, remove a temp dir) so that a normal exit, an
 * error, Ctrl-C and SIGTERM all leave nothing behind. Cleanups run newest first.
 */
type Cleanup = () => void | Promise<void>;

const cleanups: Cleanup[] = [];
let signalsInstalled = false;
let exiting = false;

export function onCleanup(cleanup: Cleanup): () => void {
  cleanups.push(cleanup);
  return () => {
    const index = cleanups.lastIndexOf(cleanup);
    if (index >= 0) cleanups.splice(index, 1);
  };
}

export async function runCleanups(): Promise<void> {
  while (cleanups.length > 0) {
    const cleanup = cleanups.pop();
    try {
      await cleanup?.();
    } catch {
      // Teardown must go on for the remaining entries even if one of them fails.
    }
  }
}

/** Creates a private temp dir that is removed by runCleanups(); `release` removes it earlier. */
export function makeTempDir(prefix: string, parent: string = tmpdir()): { path: string; release: () => void } {
  return removedAtCleanup(mkdtempSync(join(parent, `${prefix}-`)));
}

/** Registers an existing dir of ours for removal by runCleanups(); `release` removes it earlier. */
export function removedAtCleanup(path: string): { path: string; release: () => void } {
  const remove = () => rmSync(path, { recursive: true, force: true });
  const unregister = onCleanup(remove);
  return {
    path,
    release: () => {
      unregister();
      remove();
    },
  };
}

/** Ctrl-C → exit 130, SIGTERM → exit 143, each after every cleanup ran. */
export function installSignalHandlers(): void {
  if (signalsInstalled) return;
  signalsInstalled = true;
  const handle = (code: number) => {
    if (exiting) return;
    exiting = true;
    void runCleanups().finally(() => process.exit(code));
  };
  process.on("SIGINT", () => handle(ExitCode.Interrupted));
  process.on("SIGTERM", () => handle(ExitCode.Terminated));
}
