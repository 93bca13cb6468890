import { readFileSync, readdirSync } from "node:fs";

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

/** Direct children of every thread of `pid` (Linux /proc/<pid>/task/<tid>/children). */
function childrenOf(pid: number): number[] {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const children: number[] = [];
  for (const task of tasks) {
    for (const word of readOrEmpty(`/proc/${pid}/task/${task}/children`).split(/\s+/)) {
      if (word !== "") children.push(Number(word));
    }
  }
  return children;
}

/** Every live descendant of `root`, parents before children. */
export function descendants(root: number): number[] {
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift();
    if (pid === undefined) break;
    for (const child of childrenOf(pid)) {
      if (found.includes(child)) continue;
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** Host pid of the init (pid 1) of the first PID namespace below `root`, if one is running. */
export function namespaceInit(root: number): number | undefined {
  for (const pid of descendants(root)) {
    const line = readOrEmpty(`/proc/${pid}/status`).split("\n").find((entry) => entry.startsWith("NSpid:"));
    const ids = line?.split(/\s+/).slice(1).filter(Boolean) ?? [];
    if (ids.length >= 2 && ids[ids.length - 1] === "1") return pid;
  }
  return undefined;
}

function sigkill(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

/**
 * Kills a traced sandbox at once: SIGKILL to the PID namespace's init makes the kernel kill every
 * process in the namespace (double-forked daemons included, as they are reparented to it); then
 * every other descendant of the tracer (bwrap's outer process). The tracer itself is left to reap
 * them and exit, so nothing is orphaned; killing it first would let tracees run on untraced.
 */
export function killSandbox(tracerPid: number): void {
  const init = namespaceInit(tracerPid);
  if (init !== undefined) sigkill(init);
  for (const pid of descendants(tracerPid).reverse()) sigkill(pid);
}

/** Last resort for a tracer that did not exit after its tracees were killed. */
export function killTracer(tracerPid: number): void {
  sigkill(tracerPid);
}
