/**
 * A scan, decided: what to scan and how each stage runs, with nothing left that depends on where
 * an option came from (argv, environment, pyproject). The CLI builds it from its resolved
 * options; tests and benchmarks build it directly.
 */
import type { AuditReport, AuditRunOptions, AuditServices } from "../audit/index.ts";
import type { Finding } from "../core/finding.ts";
import type { RequirementSet } from "../core/requirements.ts";
import type { ScanOptions } from "../pipeline/context.ts";
import type { Exemptions } from "../report/exemptions.ts";
import type { ReportFormat } from "../report/render.ts";
import type { SkippedPackage } from "../report/model.ts";
import type { EventStream } from "../events/stream.ts";
import type { Plugin } from "../plugins/api.ts";
import type { StaticRule } from "../rules/types.ts";

/** Where the run's warnings and diagnostics go (stderr, through the CLI's logger); progress is published on the event stream. */
export interface RunLog {
  warn: (message: string) => void;
  debug: (message: string) => void;
}

export interface StaticStagePlan {
  rules: StaticRule[];
  /** `--allowlist`: static findings of these packages are lowered one level. */
  allowlist: string[];
  /** The on-disk cache of extracted facts (by archive and file sha256); none when undefined. */
  factsCache?: { dir: string; warn: (message: string) => void };
}

export interface AuditStagePlan {
  options: AuditRunOptions;
  /** The network side; built from `options` when undefined. */
  services?: AuditServices;
}

export interface ScanPlan {
  /** The requirements that apply to the target interpreter (markers already evaluated). */
  requirements: RequirementSet;
  /** `--allow-name`: look-alike names accepted; undefined skips the name check. */
  names: { allowNames: string[] } | undefined;
  /** The sandbox's phases (fetch, install, import); `knownMalware` is built from the audit's services when there is an audit. */
  sandbox: ScanOptions;
  /** undefined skips the static scan (tests of the behavioural scan alone). */
  static: StaticStagePlan | undefined;
  /** undefined skips the audit, and with it the lock files. */
  audit: AuditStagePlan | undefined;
  locks: { requirements: string | undefined; pylock: string | undefined };
  report: {
    format: ReportFormat;
    /** `-q`: the text report is only its verdict line. */
    quiet: boolean;
    /** Locations in the report are relative to it. */
    cwd: string;
    exemptions: (audit: AuditReport | undefined) => Exemptions;
    /** Packages installed but not scanned, for the report. */
    skipped: SkippedPackage[];
  };
  log: RunLog;
  /** Rule packs' `exceptions:` by rule id (plugin rules included): true drops the finding. */
  exceptions: (finding: Finding) => boolean;
  /** The user's plugins (`--plugin`), loaded and checked; the built-in ones always run. */
  plugins: Plugin[];
  /** The run's event stream, for a caller that subscribes before the run starts; a new one when undefined. */
  events?: EventStream;
}
