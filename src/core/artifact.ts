/** A file pip downloaded in the fetch phase: exactly what later stages scan, install and lock. */
export interface Artifact {
  /** Normalised distribution name. */
  name: string;
  version: string;
  filename: string;
  /** Absolute path on the host, inside the run's artifact directory. */
  path: string;
  sha256: string;
  size: number;
  kind: "wheel" | "sdist";
  /** The URL it was fetched from, when known (from pip's report). */
  url: string | undefined;
  /**
   * For an sdist: the wheel the scan built from it in the sandbox, which is what was installed and
   * imported. The lock and the audit keep the sdist itself (the file the index served).
   */
  builtWheel?: BuiltWheel;
}

/** A wheel built from an sdist inside the sandbox (install phase). */
export interface BuiltWheel {
  filename: string;
  /** Absolute path on the host, inside the run's work directory. */
  path: string;
  sha256: string;
  size: number;
}

/** What the scan hands to the audit and lock stages: one entry per installed distribution. */
export interface InstalledDistribution {
  name: string;
  version: string;
  artifacts: Artifact[];
  /** True when the user asked for it directly, false for transitive dependencies. */
  direct: boolean;
}
