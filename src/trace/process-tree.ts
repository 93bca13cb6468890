import type { AttributedEvent, Attribution, TraceEvent } from "./events.ts";
import type { Phase } from "../core/phase.ts";

/** What the sandbox knows about a process it started: which phase and which distribution. */
export interface Assignment {
  phase: Phase;
  /** Normalised distribution name; undefined for pip's or pipcanary's own work. */
  package: string | undefined;
}

/** Passed to `onExec` for every successful exec, before the exec event is attributed. */
export interface ExecInfo {
  pid: number;
  parentPid: number | undefined;
  path: string;
  argv: string[];
  cwd: string | undefined;
}

export interface ProcessTreeOptions {
  /** Attribution for processes below no assigned root (pip itself, the sandbox's helpers). */
  phase: Phase;
  /**
   * Called on each successful exec, in trace order, so the sandbox can recognise pip's build
   * subprocesses (`…/_in_process.py` with a cwd in `/tmp/pip-*`) and `assign()` them on the spot.
   */
  onExec?: (info: ExecInfo, tree: ProcessTree) => void;
  /** Events of not-yet-linked pids held before they are released as orphans. */
  maxHeld?: number;
}

interface ProcessNode {
  pid: number;
  parent: ProcessNode | undefined;
  argv: string[];
  assignment: Assignment | undefined;
  alive: boolean;
  /** Attribution cache, valid while `epoch` equals the tree's epoch. */
  cached: Attribution | undefined;
  epoch: number;
}

type Sink = (event: AttributedEvent) => void;

/**
 * Attribution by ancestry. strace may print a child's first calls before the parent's clone
 * returns, so events of a pid the tree has not linked yet are held until the spawn event names
 * their parent, and only then attributed. Nothing a traced program prints is ever consulted.
 */
export class ProcessTree {
  private readonly nodes = new Map<number, ProcessNode>();
  private readonly held = new Map<number, TraceEvent[]>();
  private heldCount = 0;
  private readonly defaultAssignment: Assignment;
  private readonly onExec: ProcessTreeOptions["onExec"];
  private readonly maxHeld: number;
  private epoch = 0;
  private sawFirst = false;

  constructor(options: ProcessTreeOptions) {
    this.defaultAssignment = { phase: options.phase, package: undefined };
    this.onExec = options.onExec;
    this.maxHeld = options.maxHeld ?? 10_000;
  }

  /** Makes `pid` and everything it spawns (until another assignment) belong to `assignment`. */
  assign(pid: number, assignment: Assignment): void {
    const node = this.nodes.get(pid) ?? this.addNode(pid, undefined);
    node.assignment = { phase: assignment.phase, package: assignment.package };
    this.epoch++;
  }

  attributionOf(pid: number): Attribution {
    const node = this.nodes.get(pid);
    if (node === undefined) return { ...this.defaultAssignment, argv: [] };
    return this.attribute(node);
  }

  parentOf(pid: number): number | undefined {
    return this.nodes.get(pid)?.parent?.pid;
  }

  isAlive(pid: number): boolean {
    return this.nodes.get(pid)?.alive ?? false;
  }

  /** Pids seen alive below `root` (inclusive): what is left to watch after a command returns. */
  liveDescendants(root: number): number[] {
    const out: number[] = [];
    for (const node of this.nodes.values()) {
      if (!node.alive) continue;
      for (let n: ProcessNode | undefined = node; n; n = n.parent) {
        if (n.pid === root) {
          out.push(node.pid);
          break;
        }
      }
    }
    return out;
  }

  /** Feeds one event; attributed events (this one and any it releases) go to `sink` in order. */
  feed(event: TraceEvent, sink: Sink): void {
    let node = this.nodes.get(event.pid);
    if (!this.sawFirst) {
      // The first pid of a trace is the command strace started: the root of everything.
      this.sawFirst = true;
      node ??= this.addNode(event.pid, undefined);
    }
    if (node === undefined || !node.alive) {
      this.hold(event, sink);
      return;
    }
    this.process(node, event, sink);
  }

  /** End of stream: releases every held event, attributed as well as is known. */
  flush(sink: Sink): void {
    for (const pid of [...this.held.keys()]) this.releaseOrphan(pid, sink);
  }

  private hold(event: TraceEvent, sink: Sink): void {
    let queue = this.held.get(event.pid);
    if (queue === undefined) {
      queue = [];
      this.held.set(event.pid, queue);
    }
    queue.push(event);
    this.heldCount++;
    if (this.heldCount > this.maxHeld) {
      let oldest = event.pid;
      for (const pid of this.held.keys()) {
        oldest = pid;
        break;
      }
      this.releaseOrphan(oldest, sink);
    }
  }

  private releaseOrphan(pid: number, sink: Sink): void {
    const queue = this.held.get(pid);
    if (queue === undefined) return;
    const previous = this.nodes.get(pid);
    const node = previous && previous.alive ? previous : this.addNode(pid, undefined);
    this.release(node, sink);
  }

  private release(node: ProcessNode, sink: Sink): void {
    const queue = this.held.get(node.pid);
    if (queue === undefined) return;
    this.held.delete(node.pid);
    this.heldCount -= queue.length;
    for (const event of queue) this.process(node, event, sink);
  }

  private process(node: ProcessNode, event: TraceEvent, sink: Sink): void {
    switch (event.kind) {
      case "spawn": {
        sink({ event, attribution: this.attribute(node) });
        this.release(this.linkChild(node, event.childPid), sink);
        return;
      }
      case "exec":
        if (event.ret === 0) {
          node.argv = event.argv;
          node.cached = undefined;
          this.onExec?.({ pid: node.pid, parentPid: node.parent?.pid, path: event.path, argv: event.argv, cwd: event.cwd }, this);
        }
        sink({ event, attribution: this.attribute(node) });
        return;
      case "exit":
        sink({ event, attribution: this.attribute(node) });
        node.alive = false;
        return;
      default:
        sink({ event, attribution: this.attribute(node) });
    }
  }

  private linkChild(parent: ProcessNode, pid: number): ProcessNode {
    const known = this.nodes.get(pid);
    if (known === undefined || !known.alive || known.parent !== undefined || known.assignment === undefined) {
      return this.addNode(pid, parent);
    }
    // A pid the sandbox assigned before its spawn line arrived keeps its assignment.
    known.parent = parent;
    if (known.argv.length === 0) known.argv = parent.argv;
    known.cached = undefined;
    return known;
  }

  private addNode(pid: number, parent: ProcessNode | undefined): ProcessNode {
    const node: ProcessNode = {
      pid,
      parent,
      argv: parent?.argv ?? [],
      assignment: undefined,
      alive: true,
      cached: undefined,
      epoch: -1,
    };
    this.nodes.set(pid, node);
    return node;
  }

  private attribute(node: ProcessNode): Attribution {
    if (node.cached !== undefined && node.epoch === this.epoch) return node.cached;
    let assignment = this.defaultAssignment;
    for (let n: ProcessNode | undefined = node; n; n = n.parent) {
      if (n.assignment) {
        assignment = n.assignment;
        break;
      }
    }
    node.cached = { phase: assignment.phase, package: assignment.package, argv: node.argv };
    node.epoch = this.epoch;
    return node.cached;
  }
}
