import { compileNameGlob, hasWildcard, pathGlobSegments } from "./glob.ts";

interface WildChild {
  pattern: string;
  regex: RegExp;
  node: TrieNode;
}

/** Up to this many literal children are compared in place; more go through a map. */
const SMALL = 8;

class TrieNode {
  literal: Map<string, TrieNode> | undefined;
  /** The literal children as a list while there are few: no substring per lookup. */
  few: Array<[string, TrieNode]> | undefined = [];
  wild: WildChild[] | undefined;
  /** Continuation after a `**` segment, which may swallow zero or more segments. */
  globstar: TrieNode | undefined;
  /** Values of the globs that end here. */
  values: number[] | undefined;
  /**
   * How many more segments a match below this node consumes (max is Infinity past a `**`). A
   * `**` only tries the positions this range allows, so a glob ending in `**` + `/id_rsa` looks
   * at the last segment instead of every suffix.
   */
  minDepth = 0;
  maxDepth = 0;
}

function computeDepths(node: TrieNode): void {
  let min = node.values ? 0 : Number.POSITIVE_INFINITY;
  let max = node.values ? 0 : Number.NEGATIVE_INFINITY;
  const children: TrieNode[] = [...(node.literal?.values() ?? []), ...(node.wild?.map((w) => w.node) ?? [])];
  for (const child of children) {
    computeDepths(child);
    min = Math.min(min, child.minDepth + 1);
    max = Math.max(max, child.maxDepth + 1);
  }
  if (node.globstar) {
    computeDepths(node.globstar);
    min = Math.min(min, node.globstar.minDepth);
    max = Number.POSITIVE_INFINITY;
  }
  node.minDepth = min;
  node.maxDepth = max;
}

/**
 * All path globs of all rules in one segment trie: matching a path walks its segments once, so a
 * path outside every rule's tree (`/usr/lib/…`) is rejected after one map lookup whatever the
 * number of rules.
 */
export class PathTrie {
  private readonly root = new TrieNode();
  private size = 0;
  private depthsReady = false;

  constructor(private readonly home: string) {}

  get patternCount(): number {
    return this.size;
  }

  add(glob: string, value: number): void {
    let node = this.root;
    for (const segment of pathGlobSegments(glob, this.home)) {
      if (segment === "**") {
        node.globstar ??= new TrieNode();
        node = node.globstar;
      } else if (hasWildcard(segment)) {
        node.wild ??= [];
        let child = node.wild.find((w) => w.pattern === segment);
        if (child === undefined) {
          child = { pattern: segment, regex: compileNameGlob(segment), node: new TrieNode() };
          node.wild.push(child);
        }
        node = child.node;
      } else {
        node.literal ??= new Map();
        let child = node.literal.get(segment);
        if (child === undefined) {
          child = new TrieNode();
          node.literal.set(segment, child);
          node.few = node.literal.size <= SMALL ? [...node.literal] : undefined;
        }
        node = child;
      }
    }
    node.values ??= [];
    if (!node.values.includes(value)) node.values.push(value);
    this.size++;
    this.depthsReady = false;
  }

  /** Calls `found` with the value of every glob matching the absolute, normalised `path`. */
  match(path: string, found: (value: number) => void): void {
    if (path.charCodeAt(0) !== 47) return;
    if (!this.depthsReady) {
      computeDepths(this.root);
      this.depthsReady = true;
    }
    walk(this.root, path, 1, found);
  }

  matches(path: string): boolean {
    let hit = false;
    this.match(path, () => {
      hit = true;
    });
    return hit;
  }
}

function emit(node: TrieNode, found: (value: number) => void): void {
  if (node.values) for (const value of node.values) found(value);
  if (node.globstar) emit(node.globstar, found);
}

function walk(node: TrieNode, path: string, pos: number, found: (value: number) => void): void {
  if (pos >= path.length) {
    emit(node, found);
    return;
  }
  let slash = path.indexOf("/", pos);
  if (slash === -1) slash = path.length;
  const next = slash + 1;
  if (node.few) {
    const length = slash - pos;
    for (const [key, child] of node.few) {
      if (key.length === length && path.startsWith(key, pos)) {
        walk(child, path, next, found);
        break;
      }
    }
  } else if (node.literal) {
    const child = node.literal.get(path.slice(pos, slash));
    if (child) walk(child, path, next, found);
  }
  if (node.wild) {
    const segment = path.slice(pos, slash);
    for (const w of node.wild) if (w.regex.test(segment)) walk(w.node, path, next, found);
  }
  if (node.globstar) {
    // `**` swallows zero or more segments: try the continuation at each segment boundary that
    // leaves it a number of segments it can consume.
    const rest = node.globstar;
    let remaining = 1;
    for (let at = path.indexOf("/", pos); at !== -1; at = path.indexOf("/", at + 1)) remaining++;
    let at = pos;
    for (;;) {
      if (remaining < rest.minDepth) break;
      if (remaining <= rest.maxDepth) walk(rest, path, at, found);
      if (at >= path.length) break;
      const slash = path.indexOf("/", at);
      at = slash === -1 ? path.length : slash + 1;
      remaining--;
    }
  }
}
