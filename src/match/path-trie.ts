import { compileNameGlob, hasWildcard, pathGlobSegments } from "./glob.ts";

interface WildChild {
  pattern: string;
  regex: RegExp;
  node: TrieNode;
}

class TrieNode {
  literal: Map<string, TrieNode> | undefined;
  wild: WildChild[] | undefined;
  /** Continuation after a `**` segment, which may swallow zero or more segments. */
  globstar: TrieNode | undefined;
  /** Values of the globs that end here. */
  values: number[] | undefined;
}

/**
 * All path globs of all rules in one segment trie: matching a path walks its segments once, so a
 * path outside every rule's tree (`/usr/lib/…`) is rejected after one map lookup whatever the
 * number of rules.
 */
export class PathTrie {
  private readonly root = new TrieNode();
  private size = 0;

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
        }
        node = child;
      }
    }
    node.values ??= [];
    if (!node.values.includes(value)) node.values.push(value);
    this.size++;
  }

  /** Calls `found` with the value of every glob matching the absolute, normalised `path`. */
  match(path: string, found: (value: number) => void): void {
    if (path.charCodeAt(0) !== 47) return;
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
  if (node.literal) {
    const child = node.literal.get(path.slice(pos, slash));
    if (child) walk(child, path, next, found);
  }
  if (node.wild) {
    const segment = path.slice(pos, slash);
    for (const w of node.wild) if (w.regex.test(segment)) walk(w.node, path, next, found);
  }
  if (node.globstar) {
    // `**` swallows zero or more segments: try the continuation at every segment boundary.
    let at = pos;
    for (;;) {
      walk(node.globstar, path, at, found);
      if (at >= path.length) break;
      const s = path.indexOf("/", at);
      at = s === -1 ? path.length : s + 1;
    }
  }
}
