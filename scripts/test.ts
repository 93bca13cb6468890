export {};
/**
 * Runs the whole suite with `bun test` and closes with the line CI reads: `N passed, N failed`.
 * Extra arguments are passed through (a file filter, `--bail`, …).
 */
// bun 1.4 ignores bunfig's [test] timeout; sandbox and pip tests start real processes.
const args = ["test", "--timeout", "240000", ...process.argv.slice(2)];
const child = Bun.spawn([process.execPath, ...args], { stdout: "pipe", stderr: "pipe", stdin: "ignore" });

let passed = 0;
let failed = 0;
let sawSummary = false;

async function relay(stream: ReadableStream<Uint8Array>, sink: NodeJS.WriteStream): Promise<void> {
  const decoder = new TextDecoder();
  let pending = "";
  for await (const chunk of stream) {
    const text = decoder.decode(chunk, { stream: true });
    sink.write(text);
    pending += text;
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) count(line);
  }
  count(pending);
}

function count(line: string): void {
  const pass = /^\s*(\d+) pass\s*$/.exec(line);
  const fail = /^\s*(\d+) fail\s*$/.exec(line);
  if (pass) { passed = Number(pass[1]); sawSummary = true; }
  if (fail) { failed = Number(fail[1]); sawSummary = true; }
}

await Promise.all([relay(child.stdout, process.stdout), relay(child.stderr, process.stderr)]);
const code = await child.exited;
if (!sawSummary && code !== 0) failed = Math.max(failed, 1);
console.log(`${passed} passed, ${failed} failed`);
process.exit(code !== 0 || failed > 0 || passed === 0 ? 1 : 0);
