import { describe, expect, test } from "bun:test";
import type { Finding } from "../../src/core/finding.ts";
import { EventStream } from "../../src/events/stream.ts";

function finding(severity: Finding["severity"], ruleId = "r"): Finding {
  return { source: "behavioural", ruleId, severity, description: "d", explanation: "e", package: "p", phase: "import", subject: { kind: "access", path: "/x" }, syscall: "openat", argv: [] };
}

function running(events: EventStream): { stops: number; reported: Finding[] } {
  const state = { stops: 0, reported: [] as Finding[] };
  events.enter({
    phase: "import",
    report: (reported) => {
      state.reported.push(reported);
      events.publish("finding", reported);
    },
    stop: () => state.stops++,
  });
  return state;
}

describe("event stream", () => {
  test("subscribers get the events of their type, in order, until they unsubscribe", () => {
    const events = new EventStream();
    const seen: string[] = [];
    const off = events.on("progress", ({ message }) => seen.push(message));
    events.on("stage-start", ({ stage }) => seen.push(`start ${stage}`));
    events.progress("one");
    events.publish("stage-start", { stage: "fetch" });
    off();
    events.progress("two");
    expect(seen).toEqual(["one", "start fetch"]);
  });

  test("the first blocking finding stops the running phase, once; warnings do not", () => {
    const events = new EventStream();
    const phase = running(events);
    expect(events.report(finding("warn"))).toBe(true);
    expect(phase.stops).toBe(0);
    events.report(finding("block"));
    events.report(finding("block", "other"));
    expect(phase.stops).toBe(1);
    expect(phase.reported.map((reported) => reported.severity)).toEqual(["warn", "block", "block"]);
  });

  test("between phases a finding has nowhere to go and report says so", () => {
    const events = new EventStream();
    running(events);
    events.leave();
    expect(events.report(finding("block"))).toBe(false);
  });

  test("a subscriber that throws stops the phase and the run fails with its error", () => {
    const events = new EventStream();
    const phase = running(events);
    const later: string[] = [];
    events.on("syscall", () => {
      throw new Error("plugin broke");
    });
    events.on("syscall", () => later.push("still called"));
    events.publish("syscall", { event: { kind: "exit", pid: 1, syscall: "exit", ret: undefined, errno: undefined, raw: "", status: 0 }, attribution: { phase: "import", package: undefined, argv: [] } });
    expect(phase.stops).toBe(1);
    expect(later).toEqual(["still called"]);
    expect(() => events.throwIfFailed()).toThrow("plugin broke");
  });
});
