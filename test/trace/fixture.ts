import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { TraceEvent } from "../../src/trace/events.ts";
import { StraceParser } from "../../src/trace/parser.ts";

/** Lines of a captured strace fixture (see fixtures/capture.sh). */
export function fixtureLines(name: string): string[] {
  return readFileSync(join(import.meta.dir, "fixtures", `${name}.strace`), "utf8").split("\n").filter((line) => line !== "");
}

/** Parses lines with a fresh parser; returns the events and the parser for its stats. */
export function parseAll(lines: readonly string[]): { events: TraceEvent[]; parser: StraceParser } {
  const parser = new StraceParser();
  const events: TraceEvent[] = [];
  for (const line of lines) {
    const event = parser.parse(line);
    if (event) events.push(event);
  }
  return { events, parser };
}
