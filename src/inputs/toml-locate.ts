/**
 * Finds the line where a TOML key or array element is written, for origins such as
 * `pyproject.toml:14`. The TOML parser gives values but no positions, so this scans the text for
 * table headers and key lines; it is exact for ordinary files and falls back to the nearest
 * enclosing line otherwise.
 */

const KEY_PART = String.raw`(?:"(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)`;
const DOTTED_KEY = String.raw`${KEY_PART}(?:\s*\.\s*${KEY_PART})*`;
const HEADER = new RegExp(String.raw`^\s*\[\[?\s*(${DOTTED_KEY})\s*\]\]?\s*(?:#.*)?$`);
const KEY_LINE = new RegExp(String.raw`^\s*(${DOTTED_KEY})\s*=`);
const KEY_PARTS = new RegExp(KEY_PART, "g");

function splitKey(dotted: string): string[] {
  return (dotted.match(KEY_PARTS) ?? []).map((part) => {
    if (part.startsWith('"')) {
      try {
        return JSON.parse(part) as string;
      } catch {
        return part.slice(1, -1);
      }
    }
    return part.startsWith("'") ? part.slice(1, -1) : part;
  });
}

interface Section {
  path: string[];
  /** 0-based line of the header (-1 for the root table). */
  header: number;
  /** 0-based lines of the section body: [start, end). */
  start: number;
  end: number;
}

function startsWith(path: readonly string[], prefix: readonly string[]): boolean {
  return prefix.length <= path.length && prefix.every((part, i) => part === path[i]);
}

export class TomlLocator {
  private readonly text: string;
  private readonly lines: string[];
  private readonly lineOffsets: number[];
  private readonly sections: Section[];

  constructor(text: string) {
    this.text = text;
    this.lines = text.split("\n");
    this.lineOffsets = [];
    let offset = 0;
    for (const line of this.lines) {
      this.lineOffsets.push(offset);
      offset += line.length + 1;
    }
    this.sections = [{ path: [], header: -1, start: 0, end: this.lines.length }];
    this.lines.forEach((line, index) => {
      const match = HEADER.exec(line);
      if (!match) return;
      const previous = this.sections[this.sections.length - 1];
      if (previous) previous.end = index;
      this.sections.push({ path: splitKey(match[1] ?? ""), header: index, start: index + 1, end: this.lines.length });
    });
  }

  /** 1-based line where the table or key at `path` is defined, if it can be found. */
  lineOf(path: readonly string[]): number | undefined {
    const header = this.sections.find((section) => section.header >= 0 && section.path.length === path.length && startsWith(path, section.path));
    if (header) return header.header + 1;
    const enclosing = this.sections
      .filter((section) => section.path.length < path.length && startsWith(path, section.path))
      .sort((a, b) => b.path.length - a.path.length);
    for (const section of enclosing) {
      for (let index = section.start; index < section.end; index++) {
        const match = KEY_LINE.exec(this.lines[index] ?? "");
        if (match && [...section.path, ...splitKey(match[1] ?? "")].join("\0") === path.join("\0")) return index + 1;
      }
    }
    return undefined;
  }

  /** The line of the nearest enclosing table or key that can be found, else 1. */
  nearestLineOf(path: readonly string[]): number {
    for (let length = path.length; length > 0; length--) {
      const line = this.lineOf(path.slice(0, length));
      if (line !== undefined) return line;
    }
    return 1;
  }

  /**
   * 1-based lines of the string `values` of the array at `path`, found in order after the key;
   * an element that cannot be found gets the key's line.
   */
  elementLines(path: readonly string[], values: readonly string[]): number[] {
    const keyLine = this.nearestLineOf(path);
    let cursor = this.lineOffsets[keyLine - 1] ?? 0;
    return values.map((value) => {
      let best = -1;
      let bestLength = 0;
      for (const quoted of [JSON.stringify(value), `'${value}'`, `"${value}"`]) {
        const at = this.text.indexOf(quoted, cursor);
        if (at >= 0 && (best < 0 || at < best)) {
          best = at;
          bestLength = quoted.length;
        }
      }
      if (best < 0) return keyLine;
      cursor = best + bestLength;
      return this.lineAt(best);
    });
  }

  private lineAt(offset: number): number {
    let low = 0;
    let high = this.lineOffsets.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((this.lineOffsets[middle] ?? 0) <= offset) low = middle;
      else high = middle - 1;
    }
    return low + 1;
  }
}

/**
 * 1-based line of the first `key =` after each `[[table]]` header, in order (the array's element
 * count); an element without that key gets its header's line.
 */
export function arrayTableKeyLines(text: string, table: string, key: string): number[] {
  const header = new RegExp(String.raw`^\s*\[\[\s*${table}\s*\]\]`);
  const anyHeader = /^\s*\[/;
  const keyLine = new RegExp(String.raw`^\s*${key}\s*=`);
  const found: number[] = [];
  let pending = false;
  text.split("\n").forEach((line, index) => {
    if (header.test(line)) {
      found.push(index + 1);
      pending = true;
    } else if (pending && anyHeader.test(line)) pending = false;
    else if (pending && keyLine.test(line)) {
      found[found.length - 1] = index + 1;
      pending = false;
    }
  });
  return found;
}
