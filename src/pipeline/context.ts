import { join } from "node:path";
import type { ScanVerdictCache } from "../cache/scan-seam.ts";
import type { Finding } from "../core/finding.ts";
import type { EventStream } from "../events/stream.ts";
import type { DynamicRule } from "../rules/types.ts";
import type { Mount } from "../sandbox/bwrap.ts";
import type { SandboxEnvironment } from "../sandbox/environment.ts";
import type { HoldBackIndex } from "../audit/hold-back.ts";
import type { KnownMalwareGate } from "./known-malware.ts";
import type { PhaseRunner } from "./phase-runner.ts";
import type { Progress } from "./progress.ts";

export interface ScanOptions {
  /** Interpreter whose pip and installation the sandbox uses (default python3 on PATH). */
  python?: string;
  /** Parent of the run's temp dir (`--temporary-directory`); default os.tmpdir(). */
  temporaryDirectory?: string;
  /** The real home, whose path the decoy home takes (default os.homedir()). */
  home?: string;
  /** Host environment variables passed into the sandbox by name (`--pass-env`). */
  passEnv?: string[];
  /** Per-phase time limits in seconds. */
  timeouts?: Partial<Record<"fetch" | "install" | "import", number>>;
  /** How long threads, timers and processes that outlive a phase's commands are still watched (default 2 s). */
  graceSeconds?: number;
  /** Time budget per distribution for importing, loading entry points and running scripts (default 5 s). */
  exerciseSeconds?: number;
  /** Normalised names installed but not imported (`--do-not-scan`). */
  doNotScan?: string[];
  /** `-t FILE`: the raw strace output of every phase. */
  traceFile?: string;
  /** The known-malware check (pinned releases before the fetch phase, the rest as pip fetches them); none when undefined. */
  knownMalware?: KnownMalwareGate;
  /** `--hold-back-recent`: the index view pip resolves against in the fetch phase; none when undefined. */
  holdBack?: HoldBackIndex;
  /** The verdict cache, consulted after the static scan; none when undefined (`--no-verdict-cache`). */
  verdictCache?: ScanVerdictCache;
  /** Dynamic rules to apply; default the built-in pack. */
  rules?: readonly DynamicRule[];
  progress?: Progress;
}

export const DEFAULT_TIMEOUTS = { fetch: 600, install: 300, import: 120 } as const;
export const DEFAULT_GRACE_SECONDS = 2;
export const DEFAULT_EXERCISE_SECONDS = 5;
/** Where pip downloads to in the fetch phase; read-only for the sandbox in every later phase. */
export function downloadDirs(environment: SandboxEnvironment): { artifactDir: string; buildDir: string } {
  return { artifactDir: join(environment.workDir, "artifacts"), buildDir: join(environment.workDir, "build-requirements") };
}

export function readOnlyDownloads(environment: SandboxEnvironment): Mount[] {
  return Object.values(downloadDirs(environment)).map((dir): Mount => ({ kind: "ro-bind", source: dir, dest: dir }));
}

/** What every phase of one scan shares. */
export interface ScanContext {
  environment: SandboxEnvironment;
  events: EventStream;
  runner: PhaseRunner;
  options: ScanOptions;
  progress: Progress;
  findings: Finding[];
}

