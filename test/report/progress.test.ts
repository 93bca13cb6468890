import { describe, expect, test } from "bun:test";
import { HEARTBEAT_MS, type ProgressOptions, StderrProgress, sentenceProgress } from "../../src/report/progress.ts";

/** A reporter on a fake clock and a fake timer that the test fires by hand. */
function harness(isTTY: boolean) {
  let now = 0;
  const written: string[] = [];
  const timers: Array<{ ms: number; tick: () => void; stopped: boolean }> = [];
  const options: ProgressOptions = {
    stream: { write: (text: string) => written.push(text) },
    isTTY,
    now: () => now,
    every: (ms, tick) => {
      const timer = { ms, tick, stopped: false };
      timers.push(timer);
      return () => void (timer.stopped = true);
    },
  };
  const reporter = new StderrProgress(options);
  const advance = (ms: number) => {
    now += ms;
    for (const timer of timers.filter((candidate) => !candidate.stopped)) timer.tick();
  };
  return { reporter, written, timers, advance };
}

describe("progress without a terminal (CI logs)", () => {
  test("a line per phase start and end, and one every 10 s naming the phase, the count and the package", () => {
    const { reporter, written, timers, advance } = harness(false);
    reporter.phaseStarted("static", 3);
    expect(timers[0]?.ms).toBe(HEARTBEAT_MS);
    reporter.itemStarted("static", "alpha");
    reporter.itemDone("static", "alpha");
    reporter.itemStarted("static", "beta");
    advance(HEARTBEAT_MS);
    reporter.phaseEnded("static");
    expect(written).toEqual(["static: started (3 to do)\n", "static: 1/3 beta, 10s\n", "static: done (1 of 3) in 10s\n"]);
    expect(written.join("")).not.toContain("\u001b");
    expect(timers[0]?.stopped).toBe(true);
  });

  test("a slow index is named when it is waited for", () => {
    const { reporter, written } = harness(false);
    reporter.waiting("waiting for pypi.org: no complete answer to GET https://pypi.org/simple/x/ after 10 s");
    expect(written).toEqual(["waiting for pypi.org: no complete answer to GET https://pypi.org/simple/x/ after 10 s\n"]);
  });
});

describe("progress on a terminal", () => {
  test("one line redrawn in place, with count, package, elapsed time and what it waits for; cleared on close", () => {
    const { reporter, written, advance } = harness(true);
    reporter.phaseStarted("import", 2);
    reporter.itemStarted("import", "alpha");
    advance(61_000);
    reporter.waiting("waiting for the index");
    expect(reporter.status()).toBe("import: 0/2 alpha, 1m01s (waiting for the index)");
    expect(written.at(-1)).toBe("\r\u001b[2Kimport: 0/2 alpha, 1m01s (waiting for the index)");
    reporter.note("a log line");
    expect(written.slice(-3)).toEqual(["\r\u001b[2K", "a log line\n", "\r\u001b[2Kimport: 0/2 alpha, 1m01s (waiting for the index)"]);
    reporter.close();
    expect(written.slice(-2)).toEqual(["\r\u001b[2K", "import: done (0 of 2) in 1m01s\n"]);
    expect(reporter.status()).toBeUndefined();
  });
});

describe("the pipeline's progress sentences", () => {
  test("end the previous phase and start the one they name, with its count, and are printed; close ends the last", () => {
    const { reporter, written } = harness(false);
    const progress = sentenceProgress(reporter);
    progress("Downloading 4 requirement(s) in the sandbox…");
    progress("Scanning 6 archive(s) statically…");
    progress("Installing into a fresh venv in the sandbox (no network)…");
    reporter.close();
    expect(written).toEqual([
      "fetch: started (4 to do)\n",
      "Downloading 4 requirement(s) in the sandbox…\n",
      "fetch: done in 0s\n",
      "static: started (6 to do)\n",
      "Scanning 6 archive(s) statically…\n",
      "static: done in 0s\n",
      "install: started\n",
      "Installing into a fresh venv in the sandbox (no network)…\n",
      "install: done in 0s\n",
    ]);
  });
});
