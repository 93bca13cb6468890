import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { typescriptFiles } from "./source-files.ts";

/**
 * A function, constant or class that src/ exports must be used by another file (in src/, the
 * tests, benchmarks or scripts); otherwise it is dead or should be private to its module.
 * Types are left out: an exported function's parameter types are exported with it.
 */
const ROOT = resolve(import.meta.dir, "../..");
const CONSUMERS = ["src", "test", "bench", "scripts", "demo", "plugins"];
const VALUE_EXPORT = /^export\s+(?:async\s+)?(?:function\*?|const|let|class)\s+([A-Za-z_$][\w$]*)/gm;

/** Comments may name a function without using it. */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:])\/\/.*$/gm, "$1");
}

function unusedExports(files: ReadonlyMap<string, string>, isSource: (file: string) => boolean): string[] {
  const unused: string[] = [];
  for (const [file, text] of files) {
    if (!isSource(file)) continue;
    for (const match of text.matchAll(VALUE_EXPORT)) {
      const name = match[1] ?? "";
      const word = new RegExp(`(?<![\\w$])${name.replace(/\$/g, "\\$")}(?![\\w$])`);
      if (![...files].some(([other, otherText]) => other !== file && word.test(otherText))) unused.push(`${file}: ${name}`);
    }
  }
  return unused;
}

describe("exports of src/", () => {
  test("every exported function, constant and class is used outside its file", () => {
    const files = new Map(
      CONSUMERS.flatMap((dir) => typescriptFiles(join(ROOT, dir))).map((path) => [relative(ROOT, path), withoutComments(readFileSync(path, "utf8"))] as const),
    );
    expect(unusedExports(files, (file) => file.startsWith("src/"))).toEqual([]);
  });

  test("finds an export nobody uses", () => {
    const files = new Map([
      ["src/a.ts", "export function used() {}\nexport const lonely = 1;\n"],
      ["src/b.ts", 'import { used } from "./a.ts";\n// lonely\n'],
    ]);
    expect(unusedExports(new Map([...files].map(([file, text]) => [file, withoutComments(text)])), (file) => file.startsWith("src/"))).toEqual(["src/a.ts: lonely"]);
  });
});
