import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { typescriptFiles } from "./source-files.ts";

/**
 * Folders of src/ import one way (core ← inputs, index, … ← stages ← cli): a folder-level cycle
 * means a shared type or helper lives in the wrong folder.
 */
const SRC = resolve(import.meta.dir, "../../src");
/** Relative specifiers of `import … from`, `export … from`, `import "…"` and `import("…")`. */
const IMPORT = /(?:\bfrom\s+|^\s*import\s+|\bimport\s*\(\s*)["'](\.[^"']+)["']/gm;

/** The top-level folder of src/ a file belongs to; files directly in src/ belong to ".". */
function folderOf(file: string): string {
  const parts = relative(SRC, file).split("/");
  return parts.length > 1 ? (parts[0] ?? ".") : ".";
}

/** folder → folder → one file-level import that makes the edge, for the failure message. */
function folderGraph(): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const file of typescriptFiles(SRC)) {
    const from = folderOf(file);
    for (const match of readFileSync(file, "utf8").matchAll(IMPORT)) {
      const target = resolve(dirname(file), match[1] ?? "");
      if (!target.startsWith(`${SRC}/`)) continue;
      const to = folderOf(target);
      if (to === from) continue;
      const edges = graph.get(from) ?? new Map<string, string>();
      if (!edges.has(to)) edges.set(to, `${relative(SRC, file)} → ${relative(SRC, target)}`);
      graph.set(from, edges);
    }
  }
  return graph;
}

/** Every elementary cycle, each found once from its smallest folder. */
function folderCycles(graph: Map<string, Map<string, string>>): string[][] {
  const cycles: string[][] = [];
  const visit = (start: string, node: string, path: string[]) => {
    for (const next of graph.get(node)?.keys() ?? []) {
      if (next === start) cycles.push(path);
      else if (next > start && !path.includes(next)) visit(start, next, [...path, next]);
    }
  };
  for (const start of [...graph.keys()].sort()) visit(start, start, [start]);
  return cycles;
}

/** `a → b (a/x.ts → b/y.ts); b → a (…)`: each step with one import that makes it. */
function describeCycle(graph: Map<string, Map<string, string>>, cycle: string[]): string {
  return cycle
    .map((folder, index) => {
      const next = cycle[(index + 1) % cycle.length] ?? folder;
      return `${folder} → ${next} (${graph.get(folder)?.get(next)})`;
    })
    .join("; ");
}

describe("import graph of src/", () => {
  test("has no folder-level cycle", () => {
    const graph = folderGraph();
    expect(folderCycles(graph).map((cycle) => describeCycle(graph, cycle))).toEqual([]);
  });

  test("core imports nothing but core", () => {
    expect([...(folderGraph().get("core")?.values() ?? [])]).toEqual([]);
  });

  test("finds a cycle when there is one", () => {
    const graph = new Map([
      ["a", new Map([["b", "a/x.ts → b/y.ts"]])],
      ["b", new Map([["c", "b/y.ts → c/z.ts"]])],
      ["c", new Map([["a", "c/z.ts → a/x.ts"]])],
    ]);
    expect(folderCycles(graph)).toEqual([["a", "b", "c"]]);
    expect(describeCycle(graph, ["a", "b", "c"])).toBe("a → b (a/x.ts → b/y.ts); b → c (b/y.ts → c/z.ts); c → a (c/z.ts → a/x.ts)");
  });
});
