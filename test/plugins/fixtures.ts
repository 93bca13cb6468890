import type { Artifact } from "../../src/core/artifact.ts";
import type { Requirement } from "../../src/core/requirements.ts";
import type { EgressEvent } from "../../src/events/stream.ts";

export function artifact(name: string, kind: Artifact["kind"] = "wheel"): Artifact {
  const filename = kind === "wheel" ? `${name.replace(/-/g, "_")}-1.0-py3-none-any.whl` : `${name}-1.0.tar.gz`;
  return { name, version: "1.0", filename, path: `/tmp/${filename}`, sha256: "ab".repeat(32), size: 1, kind, url: undefined };
}

export function egress(host: string, port: number, packageName: string | undefined, allowed = true): EgressEvent {
  return { attempt: { host, port, allowed, method: "CONNECT", url: undefined, peerPort: 40000 }, phase: "fetch", package: packageName, argv: packageName ? ["python", "setup.py"] : ["pip"] };
}

/** A requirement line `name` of requirements.txt (line 3 unless given), or of a constraints file. */
export function requirement(name: string, options: { line?: number; constraint?: boolean } = {}): Requirement {
  return {
    name, normalizedName: name.toLowerCase().replace(/[-_.]+/g, "-"), extras: [], specifier: "", url: undefined, marker: undefined, markerText: undefined,
    hashes: [], origin: { file: options.constraint ? "constraints.txt" : "requirements.txt", line: options.line ?? 3 }, constraint: options.constraint ?? false,
  };
}
