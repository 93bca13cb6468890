import { readFileSync, readdirSync, readlinkSync } from "node:fs";

/**
 * Finding and killing sandbox processes without mistaking another PID namespace's process for
 * one of ours. pipcanary may itself run in a PID namespace whose /proc is not its own (a container
 * that bind-mounts the host's /proc): then /proc/<n> is some other process than our pid n, and a
 * kill by that number would hit a stranger. Every pid read from /proc is therefore translated
 * through its NSpid chain into our namespace's numbering, and the sandbox's init is recognised by
 * its PID-namespace inode, which bwrap reports on --json-status-fd and which no other process has.
 */

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

function nsPidChain(procRoot: string, procPid: number): number[] {
  const line = readOrEmpty(`${procRoot}/${procPid}/status`).split("\n").find((entry) => entry.startsWith("NSpid:"));
  return line?.split(/\s+/).slice(1).filter(Boolean).map(Number) ?? [];
}

/** One process as /proc numbers it and as our own PID namespace does. */
export interface ProcEntry {
  procPid: number;
  localPid: number;
  /** Pids from our namespace down to the process's own (first = localPid). */
  chain: number[];
}

/** This process's view of a /proc mount, which may belong to an ancestor PID namespace. */
export class ProcView {
  /** Index of our namespace in NSpid lines read from this /proc. */
  private readonly level: number;
  /** Undefined without a readable /proc: then no process can be found, and none is killed by mistake. */
  private readonly selfProcPid: number | undefined;

  constructor(readonly root: string = "/proc") {
    try {
      this.selfProcPid = Number(readlinkSync(`${root}/self`));
    } catch {
      this.selfProcPid = undefined;
    }
    this.level = this.selfProcPid === undefined ? 0 : Math.max(0, nsPidChain(root, this.selfProcPid).length - 1);
  }

  /** The process at /proc/<procPid>, or undefined when it is gone or outside our namespace. */
  entry(procPid: number): ProcEntry | undefined {
    const chain = nsPidChain(this.root, procPid).slice(this.level);
    const localPid = chain[0];
    return localPid === undefined ? undefined : { procPid, localPid, chain };
  }

  private childrenOf(procPid: number): number[] {
    let tasks: string[];
    try {
      tasks = readdirSync(`${this.root}/${procPid}/task`);
    } catch {
      return [];
    }
    return tasks.flatMap((task) => readOrEmpty(`${this.root}/${procPid}/task/${task}/children`).split(/\s+/).filter(Boolean).map(Number));
  }

  /** Every live descendant of `procPid`, parents before children. */
  private descendantsInProc(procPid: number): ProcEntry[] {
    const found: ProcEntry[] = [];
    const seen = new Set<number>([procPid]);
    const queue = [procPid];
    for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
      for (const child of this.childrenOf(pid)) {
        if (seen.has(child)) continue;
        seen.add(child);
        const entry = this.entry(child);
        if (entry) found.push(entry);
        queue.push(child);
      }
    }
    return found;
  }

  /** Our direct or indirect child with this local pid, found from /proc/self, never by its number alone. */
  private ownDescendant(localPid: number): ProcEntry | undefined {
    if (this.selfProcPid === undefined) return undefined;
    return this.descendantsInProc(this.selfProcPid).find((entry) => entry.localPid === localPid);
  }

  /** Every live descendant of our descendant `localRoot`, parents before children. */
  descendants(localRoot: number): ProcEntry[] {
    const root = this.ownDescendant(localRoot);
    return root ? this.descendantsInProc(root.procPid) : [];
  }

  private allEntries(): ProcEntry[] {
    let names: string[];
    try {
      names = readdirSync(this.root);
    } catch {
      return [];
    }
    return names.filter((name) => /^\d+$/.test(name)).flatMap((name) => this.entry(Number(name)) ?? []);
  }

  /**
   * Every process traced by our descendant `localTracer`, wherever it was reparented to: strace
   * traces the whole sandbox, so this finds an init whose bwrap died right after creating it.
   */
  tracees(localTracer: number): ProcEntry[] {
    const tracer = this.ownDescendant(localTracer);
    if (tracer === undefined) return [];
    const marker = `TracerPid:\t${tracer.procPid}`;
    return this.allEntries().filter((entry) => readOrEmpty(`${this.root}/${entry.procPid}/status`).split("\n").includes(marker));
  }

  /** The PID-namespace inode of a process, from its ns/pid link. */
  pidNamespace(procPid: number): number | undefined {
    try {
      const match = /^pid:\[(\d+)\]$/.exec(readlinkSync(`${this.root}/${procPid}/ns/pid`));
      return match ? Number(match[1]) : undefined;
    } catch {
      return undefined;
    }
  }

  /** The init (pid 1) of the PID namespace with this inode, wherever it was reparented to. */
  namespaceInitByInode(inode: number): ProcEntry | undefined {
    return this.allEntries().find((entry) => isNamespaceInit(entry) && this.pidNamespace(entry.procPid) === inode);
  }
}

/** What bwrap wrote to its --json-status-fd: one JSON document per line. */
export interface SandboxStatus {
  /** The sandbox's init as bwrap (in our PID namespace) sees it. */
  initPid: number | undefined;
  pidNamespace: number | undefined;
  /** bwrap reported the init's exit: it is reaped and its pid may already belong to someone else. */
  exited: boolean;
}

export function parseSandboxStatus(text: string): SandboxStatus {
  const status: SandboxStatus = { initPid: undefined, pidNamespace: undefined, exited: false };
  for (const line of text.split("\n")) {
    let document: unknown;
    try {
      document = JSON.parse(line);
    } catch {
      continue;
    }
    if (typeof document !== "object" || document === null) continue;
    const fields = document as Record<string, unknown>;
    if (typeof fields["child-pid"] === "number") status.initPid = fields["child-pid"];
    if (typeof fields["pid-namespace"] === "number") status.pidNamespace = fields["pid-namespace"];
    if ("exit-code" in fields) status.exited = true;
  }
  return status;
}

/**
 * The PID-namespace inode of the sandbox below `tracerPid`, from bwrap's status or, when bwrap
 * could not tell (it reads /proc by its own pid numbers, which fails under a foreign /proc), from
 * the nested init in the tracer's process tree.
 */
export function sandboxNamespace(tracerPid: number, status: SandboxStatus, view: ProcView = new ProcView()): number | undefined {
  if (status.pidNamespace !== undefined) return status.pidNamespace;
  // The tree is cheap; every tracee means reading all of /proc, needed only once bwrap is gone.
  const init = view.descendants(tracerPid).find(isNamespaceInit) ?? view.tracees(tracerPid).find(isNamespaceInit);
  return init === undefined ? undefined : view.pidNamespace(init.procPid);
}

/** The init (pid 1) of a PID namespace below ours. */
export function isNamespaceInit(entry: ProcEntry): boolean {
  return entry.chain.length >= 2 && entry.chain.at(-1) === 1;
}

export type Signaller = (localPid: number) => void;

function sigkill(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

/**
 * Kills a traced sandbox at once: SIGKILL to the PID namespace's init makes the kernel kill every
 * process in the namespace (double-forked daemons included, as they are reparented to it). The
 * init is found by its namespace inode, or as a process our tracer traces, so it is found even
 * after bwrap died and it was reparented out of the tracer's tree; then every other descendant and
 * tracee of the tracer (bwrap's outer process) is killed. The tracer itself is left to reap them and exit, so nothing is orphaned;
 * killing it first would let tracees run on untraced.
 */
export function killSandbox(tracerPid: number, status: SandboxStatus, view: ProcView = new ProcView(), signal: Signaller = sigkill): void {
  const init = status.pidNamespace === undefined ? undefined : view.namespaceInitByInode(status.pidNamespace);
  if (init !== undefined) signal(init.localPid);
  // Not visible in /proc (hidepid, no /proc) but not reaped either: bwrap's own pid for it is ours.
  else if (status.initPid !== undefined && !status.exited) signal(status.initPid);
  const tree = [...view.descendants(tracerPid), ...view.tracees(tracerPid)];
  const nestedInit = tree.find(isNamespaceInit);
  if (nestedInit !== undefined && nestedInit.localPid !== init?.localPid) signal(nestedInit.localPid);
  for (const pid of new Set(tree.reverse().map((entry) => entry.localPid))) signal(pid);
}

/** Last resort for a tracer that did not exit after its tracees were killed. */
export function killTracer(tracerPid: number): void {
  sigkill(tracerPid);
}
