import { EventStream } from "../../src/events/stream.ts";
import { compileRules } from "../../src/match/matcher.ts";
import { PhaseRunner } from "../../src/pipeline/phase-runner.ts";
import type { SandboxEnvironment } from "../../src/sandbox/environment.ts";
import { requireSandboxTools } from "../../src/sandbox/host-python.ts";

/** A phase runner with no rules: for tests that look at the sandbox itself, not at findings. */
export function ruleFreeRunner(environment: SandboxEnvironment): PhaseRunner {
  return new PhaseRunner({
    environment,
    events: new EventStream(),
    tools: requireSandboxTools(),
    matcher: compileRules([], { home: environment.home }),
    graceSeconds: 1,
    rawTrace: undefined,
    urlBuildPackage: undefined,
  });
}
