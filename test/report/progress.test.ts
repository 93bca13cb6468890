import { describe, expect, test } from "bun:test";
import { followAttributedItems } from "../../src/events/attributed-items.ts";
import { EventStream } from "../../src/events/stream.ts";
import { followScanEvents, HEARTBEAT_MS, type ProgressOptions, StderrProgress } from "../../src/report/progress.ts";
import type { ExitEvent } from "../../src/trace/events.ts";

const EXIT: ExitEvent = { kind: "exit", pid: 7, syscall: "exit", ret: undefined, errno: undefined, raw: "7 +++ exited with 0 +++", status: 0 };

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
    expect(written).toEqual(["static: started (3 to do)\n", "static: 0/3 alpha, 0s\n", "static: 1/3 beta, 10s\n", "static: done (1 of 3) in 10s\n"]);
    expect(written.join("")).not.toContain("\u001b");
    expect(timers[0]?.stopped).toBe(true);
  });

  test("phases that run side by side (static scan and wheel install) are reported each, neither ending the other", () => {
    const { reporter, written, timers, advance } = harness(false);
    reporter.phaseStarted("static", 2);
    reporter.phaseStarted("install", undefined);
    reporter.itemStarted("static", "alpha.whl");
    advance(HEARTBEAT_MS);
    reporter.phaseEnded("install");
    expect(timers.filter((timer) => !timer.stopped)).toHaveLength(1);
    reporter.itemDone("static", "alpha.whl");
    reporter.phaseEnded("static");
    expect(written).toEqual([
      "static: started (2 to do)\n",
      "install: started\n",
      "static: 0/2 alpha.whl, 0s\n",
      "static: 0/2 alpha.whl, 10s\n",
      "install: working, 10s\n",
      "install: done in 10s\n",
      "static: done (1 of 2) in 10s\n",
    ]);
    expect(timers.every((timer) => timer.stopped)).toBe(true);
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

describe("the scan's event stream", () => {
  test("stages start and end phases, item events count packages and name the one worked on", () => {
    const { reporter, written, advance } = harness(false);
    const events = new EventStream();
    followScanEvents(reporter, events);
    events.publish("stage-start", { stage: "static" });
    events.publish("item-start", { stage: "static", name: "alpha-1.0-py3-none-any.whl", index: 0, total: 2 });
    events.publish("item-end", { stage: "static", name: "alpha-1.0-py3-none-any.whl", index: 0, total: 2 });
    events.publish("item-start", { stage: "static", name: "beta-2.0.tar.gz", index: 1, total: 2 });
    advance(HEARTBEAT_MS);
    events.publish("item-end", { stage: "static", name: "beta-2.0.tar.gz", index: 1, total: 2 });
    events.publish("stage-end", { stage: "static" });
    events.publish("stage-start", { stage: "import" });
    events.publish("item-start", { stage: "import", name: "alpha", index: 0, total: 2 });
    advance(HEARTBEAT_MS);
    advance(HEARTBEAT_MS);
    events.publish("stage-start", { stage: "report" });
    reporter.close();
    expect(written).toEqual([
      "static: started\n",
      "static: 0/2 alpha-1.0-py3-none-any.whl, 0s\n",
      "static: 1/2 beta-2.0.tar.gz, 10s\n",
      "static: done (2 of 2) in 10s\n",
      "import: started\n",
      "import: 0/2 alpha, 0s\n",
      "import: 0/2 alpha, 10s\n",
      "import: 0/2 alpha, 20s\n",
      "import: done (0 of 2) in 20s\n",
    ]);
  });

  test("an item of another stage than the running one is not counted in it, but in its own stage when that starts", () => {
    const { reporter, written } = harness(false);
    const events = new EventStream();
    followScanEvents(reporter, events);
    events.publish("stage-start", { stage: "install" });
    events.publish("item-end", { stage: "audit", name: "alpha", index: 0, total: 2 });
    events.publish("stage-end", { stage: "install" });
    events.publish("stage-start", { stage: "audit" });
    events.publish("item-end", { stage: "audit", name: "beta", index: 1, total: 2 });
    events.publish("stage-end", { stage: "audit" });
    expect(written).toEqual(["install: started\n", "install: done in 0s\n", "audit: started\n", "audit: done (2 of 2) in 0s\n"]);
  });

  test("a sandbox step's trace blame becomes one item per expected package, in the order they start", () => {
    const events = new EventStream();
    const seen: string[] = [];
    events.on("item-start", ({ name, index, total }) => seen.push(`start ${name} ${index}/${total}`));
    events.on("item-end", ({ name }) => seen.push(`end ${name}`));
    const stop = followAttributedItems(events, "import", ["Alpha", "beta"]);
    const blamed = (pkg: string | undefined) => events.publish("syscall", { event: EXIT, attribution: { phase: "import", package: pkg, argv: ["python"] } });
    blamed(undefined);
    blamed("alpha");
    blamed("gamma");
    blamed("alpha");
    blamed("beta");
    blamed("alpha");
    stop();
    blamed("beta");
    expect(seen).toEqual(["start alpha 0/2", "end alpha", "start beta 1/2", "end beta"]);
  });
});
