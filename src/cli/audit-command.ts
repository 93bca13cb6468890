import { InputError, formatOrigin } from "../core/errors.ts";
import type { ExitCodeValue } from "../core/exit-codes.ts";
import type { Requirement } from "../core/requirements.ts";
import { pinnedVersion } from "../audit/versions.ts";
import { auditDistributions, type AuditedPackage, type AuditRunOptions, type AuditServices } from "../audit/index.ts";
import pkg from "../../package.json" with { type: "json" };
import type { Exemptions } from "../report/exemptions.ts";
import { buildReportModel, type ReportModel, type SkippedPackage } from "../report/model.ts";
import { type ReportFormat, renderReport } from "../report/render.ts";
import { type AuditReport, auditExitCode } from "../audit/report.ts";

/**
 * `pipcanary audit`: the known-malware, vulnerability and cool-down checks alone, with no sandbox,
 * for input that is already fully pinned: `==` pins, a hashed requirements lock, or a lock file
 * (uv.lock, poetry.lock, pylock.toml) that the inputs stage read into pins.
 */

export interface AuditCommandOptions extends AuditRunOptions {
  /** Requirements from the inputs stage (requirements files, lock files, pyproject.toml). */
  requirements?: readonly Requirement[];
  format?: ReportFormat;
  /** `-q`: the text report is only its verdict line. */
  quiet?: boolean;
  /** Locations in the report are relative to it; default the process's. */
  cwd?: string;
  write?: (text: string) => void;
  /** Gets the report model once it is built (for the -o files). */
  onReport?: (model: ReportModel) => void;
  services?: AuditServices;
  /** What the run was told to ignore or accept, printed with the report (see report/exemptions.ts). */
  exemptions?: (report: AuditReport) => Exemptions;
  /** Requirements left out, and why (markers that do not hold for the target). */
  skipped?: readonly SkippedPackage[];
}

/** Every selecting requirement as a pin; InputError naming each one that is not pinned. */
function pinnedPackages(requirements: readonly Requirement[]): AuditedPackage[] {
  const selecting = requirements.filter((requirement) => !requirement.constraint);
  const loose = selecting.filter((requirement) => pinnedVersion(requirement) === undefined);
  if (loose.length > 0) {
    const list = loose.map((requirement) => `${formatOrigin(requirement.origin)}: ${requirement.name}${requirement.url ? ` @ ${requirement.url}` : requirement.specifier}`);
    throw new InputError(
      `pipcanary audit needs exactly pinned versions, but ${loose.length === 1 ? "this requirement is" : "these requirements are"} not pinned:\n  ${list.join("\n  ")}`,
      undefined,
      "pin each one with ==VERSION (or audit a lock file), or run the scan (pipcanary -r FILE), which resolves, installs and audits what it installed",
    );
  }
  return selecting.map((requirement) => ({ name: requirement.name, version: pinnedVersion(requirement) ?? "" }));
}

export async function runAuditCommand(options: AuditCommandOptions): Promise<ExitCodeValue> {
  const write = options.write ?? ((text: string) => void process.stdout.write(text));
  const requirements = options.requirements ?? [];
  const packages = pinnedPackages(requirements);
  if (packages.length === 0) throw new InputError("nothing to audit: the input lists no packages", undefined, "pass a requirements file with pinned versions (-r FILE) or a lock file (uv.lock, poetry.lock, pylock.toml)");
  const report = await auditDistributions(packages, requirements, options, options.services);
  const model = buildReportModel({
    command: "audit",
    version: pkg.version,
    exitCode: auditExitCode(report),
    cwd: options.cwd ?? process.cwd(),
    requirements,
    audit: report,
    exemptions: options.exemptions?.(report),
    skipped: options.skipped,
  });
  write(renderReport(model, options.format ?? "text", { quiet: options.quiet }));
  options.onReport?.(model);
  return model.exitCode;
}
