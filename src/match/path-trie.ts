import { compileGlob, hasWildcard } from "../core/glob.ts";
import { type PathRoots, pathGlobSegments } from "../core/path-glob.ts";

interface WildChild {
  pattern: string;
  regex: RegExp;
  /** For a segment with one `*` and no other wildcard: the text around it, compared in place. */
  affixes: { prefix: string; suffix: string } | undefined;
  node: TrieNode;
}

function affixesOf(segment: string): WildChild["affixes"] {
  const star = segment.indexOf("*");
  if (star === -1 || segment.indexOf("*", star + 1) !== -1 || /[?[]/.test(segment)) return undefined;
  return { prefix: segment.slice(0, star), suffix: segment.slice(star + 1) };
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
  /**
   * For a `**` continuation that only goes on with literal segments (`/**` + `/.git/hooks/…`):
   * each literal as `/name` with its child, so the walk finds the few places it occurs with a
   * native string search instead of trying every segment boundary.
   */
  jump: Array<[string, TrieNode]> | undefined;
  /** A `**` continuation where globs end and nothing follows. */
  terminal = false;
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
    const rest = node.globstar;
    computeDepths(rest);
    min = Math.min(min, rest.minDepth);
    max = Number.POSITIVE_INFINITY;
    // Past a few literals, one map lookup per segment boundary beats one string search per literal.
    const literalOnly = rest.values === undefined && rest.wild === undefined && rest.globstar === undefined && rest.few !== undefined && rest.few.length > 0;
    rest.terminal = rest.values !== undefined && rest.wild === undefined && rest.globstar === undefined && rest.literal === undefined;
    rest.jump = literalOnly ? rest.few?.map(([key, child]): [string, TrieNode] => [`/${key}`, child]) : undefined;
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

  constructor(
    private readonly home: string,
    private readonly roots: PathRoots = {},
  ) {}

  get patternCount(): number {
    return this.size;
  }

  add(glob: string, value: number): void {
    for (const segments of pathGlobSegments(glob, this.home, this.roots)) this.addSegments(segments, value);
  }

  private addSegments(segments: readonly string[], value: number): void {
    let node = this.root;
    for (const segment of segments) {
      if (segment === "**") {
        node.globstar ??= new TrieNode();
        node = node.globstar;
      } else if (hasWildcard(segment)) {
        node.wild ??= [];
        let child = node.wild.find((w) => w.pattern === segment);
        if (child === undefined) {
          child = { pattern: segment, regex: compileGlob(segment, "path"), affixes: affixesOf(segment), node: new TrieNode() };
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
    for (const w of node.wild) {
      const hit = w.affixes
        ? slash - pos >= w.affixes.prefix.length + w.affixes.suffix.length && path.startsWith(w.affixes.prefix, pos) && path.startsWith(w.affixes.suffix, slash - w.affixes.suffix.length)
        : w.regex.test(path.slice(pos, slash));
      if (hit) walk(w.node, path, next, found);
    }
  }
  if (node.globstar?.terminal) {
    // A trailing `**` matches whatever is left.
    emit(node.globstar, found);
  } else if (node.globstar?.jump) {
    for (const [needle, child] of node.globstar.jump) {
      for (let at = path.indexOf(needle, pos - 1); at !== -1; at = path.indexOf(needle, at + 1)) {
        const end = at + needle.length;
        if (end === path.length || path.charCodeAt(end) === 47) walk(child, path, end + 1, found);
      }
    }
  } else if (node.globstar) {
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
