import { describe, expect, test } from "bun:test";
import { globSource } from "../../src/core/glob.ts";
import { runFactExtractor } from "../../src/static/python/extractor.ts";
import type { AttributeFact, CallFact, FileFacts, StringFact } from "../../src/static/python/facts.ts";
import { useTempDirs } from "../harness/temp.ts";
import { findingFor, scan, wheelArtifact } from "./helpers.ts";

const EVERYTHING = { calls: [globSource("*", "name")], strings: null, attributes: [globSource("sys.*", "name")], attributeLeaves: [globSource("*", "name")] };

async function factsOf(source: string): Promise<FileFacts> {
  const run = await runFactExtractor([{ id: "f", path: "pkg/mod.py", bytes: new TextEncoder().encode(source) }], { python: "python3", interest: EVERYTHING });
  return run.files.get("f") as FileFacts;
}

/** `text` XORed with `key` (repeating), as a Python bytes literal. */
function xorLiteral(text: string, key: number | string): string {
  const keyBytes = typeof key === "number" ? [key] : [...Buffer.from(key)];
  const bytes = [...Buffer.from(text)].map((byte, i) => byte ^ (keyBytes[i % keyBytes.length] as number));
  return `b'${bytes.map((byte) => `\\x${byte.toString(16).padStart(2, "0")}`).join("")}'`;
}

const derived = (facts: FileFacts) => facts.facts.filter((f): f is StringFact => f.k === "str" && f.derived === true).map((f) => f.value);
const calls = (facts: FileFacts) => facts.facts.filter((f): f is CallFact => f.k === "call");

describe("XOR decoders", () => {
  test("every form folds to the plain text, chained with base64 either way", async () => {
    const b64OfXor = Buffer.from([...Buffer.from("/etc/shadow")].map((byte) => byte ^ 5)).toString("base64");
    const facts = await factsOf(
      [
        "import base64, itertools, operator",
        `a = bytes(b ^ 0x5a for b in ${xorLiteral("one", 0x5a)})`,
        `b = bytearray([c ^ 3 for c in ${xorLiteral("two", 3)}]).decode()`,
        `c = ''.join(chr(ord(ch) ^ 1) for ch in 'uisdd')`,
        `d = bytes(x ^ y for x, y in zip(${xorLiteral("four", "ab")}, itertools.cycle(b'ab')))`,
        `e = bytes(map(lambda v: v ^ 9, ${xorLiteral("five", 9)}))`,
        `f = bytes(b ^ 5 for b in base64.b64decode('${b64OfXor}'))`,
        `g = base64.b64decode(bytes(b ^ 7 for b in ${xorLiteral(Buffer.from("seven").toString("base64"), 7)}))`,
        `h = bytes(map(operator.xor, ${xorLiteral("eight", "k")}, itertools.repeat(ord('k'))))`,
      ].join("\n"),
    );
    expect(derived(facts)).toEqual(expect.arrayContaining(["one", "two", "three", "four", "five", "/etc/shadow", "seven", "eight"]));
    expect(calls(facts).filter((c) => c.names.includes("<xor>")).map((c) => c.line)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
  });

  test("a key that is not constant gives no fold and no error", async () => {
    const facts = await factsOf(`import os, sys\nk = int(os.environ['K'])\np = bytes(b ^ k for b in ${xorLiteral("~/.ssh/id_rsa", 1)})\nq = ''.join(chr(ord(c) ^ key) for c, key in zip('ab', sys.argv))\n`);
    expect(facts.parse).toBe("ast");
    expect(facts.error).toBeUndefined();
    expect(derived(facts)).toEqual([]);
    expect(calls(facts).filter((c) => c.names.includes("<xor>")).map((c) => c.line)).toEqual([3, 4]);
  });

  test("hostile sizes are refused quickly instead of folded", async () => {
    const big = `b'${"A".repeat(200_000)}'`;
    const lines = ["import itertools", "x = bytes(i ^ 1 for i in range(10 ** 12))", "y = bytes(b ^ k for b in itertools.cycle(b'ab'))"];
    for (let i = 0; i < 40; i++) lines.push(`v${i} = bytes(b ^ ${i} for b in ${big})`);
    const started = performance.now();
    const facts = await factsOf(lines.join("\n"));
    expect(facts.parse).toBe("ast");
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(derived(facts).filter((value) => value.length >= 200_000).length).toBeLessThanOrEqual(1);
  }, 60_000);
});

describe("evasion facts", () => {
  test("attribute reads and calls that decide a branch are marked, others are not", async () => {
    const facts = await factsOf(
      [
        "import sys",
        "if sys.flags.isolated: pass",
        "level = sys.flags.optimize",
        "def traced():",
        "    return sys.gettrace() is not None",
        "if traced(): pass",
        "saved = sys.gettrace()",
        "ON = 'strace' in open('/proc/1/cmdline').read()",
      ].join("\n"),
    );
    const attrs = facts.facts.filter((f): f is AttributeFact => f.k === "attr").map((f) => [f.line, f.names[0], f.test === true]);
    expect(attrs).toEqual([[2, "sys.flags.isolated", true], [3, "sys.flags.optimize", false]]);
    const traces = calls(facts).filter((c) => c.names.includes("sys.gettrace")).map((c) => [c.line, c.test === true]);
    expect(traces).toEqual([[5, true], [7, false]]);
    const strace = facts.facts.find((f): f is StringFact => f.k === "str" && f.value === "strace");
    expect(strace?.test).toBe(true);
  });

  test("import time: module level, functions called, decorating or handed over from there, not under __main__", async () => {
    const facts = await factsOf(
      [
        "import atexit, sys",
        "def called():",
        "    sys.gettrace()",
        "def later():",
        "    sys.gettrace()",
        "def handler():",
        "    sys.gettrace()",
        "class Boot:",
        "    def __init__(self):",
        "        sys.gettrace()",
        "called()",
        "atexit.register(handler)",
        "Boot()",
        "sys.gettrace()",
        "if __name__ == '__main__':",
        "    later()",
        "    sys.gettrace()",
      ].join("\n"),
    );
    const marks = calls(facts).filter((c) => c.names.includes("sys.gettrace")).map((c) => [c.line, c.imp === true]);
    expect(marks).toEqual([[3, true], [5, false], [7, true], [10, true], [14, true], [17, false]]);
  });

  test("callbacks: what a registered handler does, through local functions", async () => {
    const facts = await factsOf("import atexit, os\n\ndef _inner():\n    os.listdir('/')\n\ndef _handler():\n    _inner()\n\natexit.register(_handler)\n");
    const register = calls(facts).find((c) => c.names.includes("atexit.register"));
    expect(register?.fn).toBe(0);
    expect(register?.cb).toEqual(expect.arrayContaining(["_inner", "os.listdir"]));
  });
});

describe("escalation", () => {
  const tempDir = useTempDirs("pipcanary-static-evasion");

  test("a warning next to a credential finding in the same file blocks and says why; an allowlisted package gets one level back", async () => {
    const dir = tempDir();
    const source = "import os, sys\nif not sys.flags.isolated:\n    TOKEN = os.environ.get('GITHUB_TOKEN')\n";
    const artifact = wheelArtifact(dir, { name: "flagsteal", version: "1.0", files: { "flagsteal/__init__.py": source } });
    const plain = await scan([artifact]);
    const finding = findingFor(plain, "static.evasion.interpreter-flags");
    expect(finding?.severity).toBe("block");
    expect(finding?.explanation).toContain("Raised from warn to block: the same file also has static.credentials.secret-env");
    const allowed = await scan([artifact], { allowlist: ["flagsteal"] });
    expect(findingFor(allowed, "static.evasion.interpreter-flags")?.severity).toBe("warn");
  });
});
