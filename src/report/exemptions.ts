/**
 * Everything a run was told to skip, ignore or accept, and every package source other than PyPI.
 * Always part of the report, in every format, so that no narrowing of the checks goes unseen.
 */
export interface PackageSource {
  kind: "index-url" | "extra-index-url" | "find-links";
  url: string;
  /** "the command line or environment", or "a requirements file". */
  from: string;
}

export interface Exemptions {
  /** --do-not-scan: installed but not imported. */
  notImported: string[];
  /** --ignore-vuln ids as given, and which of them the audit actually left out. */
  ignoredVulnerabilities: string[];
  ignoredInThisRun: Array<{ package: string; version: string; ids: string[] }>;
  /** --allowlist: static findings lowered one level. */
  allowlisted: string[];
  /** --allow-upload-time, as `NAME<=ISO`. */
  acceptedUploads: string[];
  /** --allow-name: look-alike names accepted. */
  acceptedNames: string[];
  /** A cool-down shorter than the default, in days; 0 when it is off. */
  coolDownDays: number | undefined;
  defaultCoolDownDays: number;
  /** Package sources other than the default index. */
  sources: PackageSource[];
  /** Rule packs' `exceptions:`: findings of these rules that the run drops, and where and why. */
  ruleExceptions?: Array<{ rule: string; pack: string; packages: string[] | undefined; phases: string[] | undefined; unattributed: boolean | undefined; reason: string }>;
  /** --hold-back-recent: the cut-off and the releases pip did not get to see because of it. */
  heldBack?: { cutoff: string; releases: Array<{ name: string; version: string; uploadTime: string }>; uploadTimeUnknown: string[] };
}

function days(value: number): string {
  return `${Number(value.toFixed(3))} day${value === 1 ? "" : "s"}`;
}

/** One line per kind of exemption, for the text report; empty when the run narrowed nothing. */
export function exemptionLines(exemptions: Exemptions): string[] {
  const lines: string[] = [];
  const list = (label: string, values: readonly string[]) => {
    if (values.length > 0) lines.push(`${label}: ${values.join(", ")}.`);
  };
  list("Not imported in the sandbox (--do-not-scan)", exemptions.notImported);
  if (exemptions.ignoredVulnerabilities.length > 0) {
    const applied = exemptions.ignoredInThisRun.map((entry) => `${entry.ids.join(", ")} in ${entry.package} ${entry.version}`);
    lines.push(
      `Ignored vulnerabilities (--ignore-vuln): ${exemptions.ignoredVulnerabilities.join(", ")}${applied.length > 0 ? `; left out in this run: ${applied.join("; ")}` : ""}.`,
    );
  }
  list("Static findings lowered one level (--allowlist)", exemptions.allowlisted);
  list("Recent uploads accepted (--allow-upload-time)", exemptions.acceptedUploads);
  list("Look-alike package names accepted (--allow-name)", exemptions.acceptedNames);
  if (exemptions.coolDownDays !== undefined) {
    lines.push(
      exemptions.coolDownDays === 0
        ? "Cool-down check off (--cool-down-phase-days 0)."
        : `Cool-down shortened to ${days(exemptions.coolDownDays)} (default ${days(exemptions.defaultCoolDownDays)}).`,
    );
  }
  const held = exemptions.heldBack;
  if (held) {
    const releases = held.releases.map((release) => `${release.name} ${release.version} (uploaded ${release.uploadTime})`);
    lines.push(`Held back from resolution (--hold-back-recent, uploads after ${held.cutoff}): ${releases.length > 0 ? releases.join(", ") : "nothing"}.`);
    list("Resolved without a known upload time (the index gives none)", held.uploadTimeUnknown);
  }
  for (const exception of exemptions.ruleExceptions ?? []) {
    const scope = [
      exception.packages ? `packages ${exception.packages.join(", ")}` : undefined,
      exception.phases ? `phase ${exception.phases.join(", ")}` : undefined,
      exception.unattributed === undefined ? undefined : exception.unattributed ? "pip's own processes" : "package code",
    ].filter((part) => part !== undefined);
    lines.push(`Rule ${exception.rule} excepted by ${exception.pack}${scope.length > 0 ? ` for ${scope.join("; ")}` : ""}: ${exception.reason}.`);
  }
  for (const source of exemptions.sources) lines.push(`Package source other than PyPI (${source.kind}, from ${source.from}): ${source.url}.`);
  return lines;
}
