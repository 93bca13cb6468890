import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { HostPython } from "../sandbox/host-python.ts";

/**
 * What `python -m venv --without-pip` makes, written by pipcanary on the host before any package
 * code runs (no traced interpreter start-up): interpreter links, pyvenv.cfg, an empty
 * site-packages. The sandbox sees it at the same path, read-write.
 */
export function createVenv(dir: string, python: HostPython): string {
  const sitePackages = join(dir, "lib", `python${python.version}`, "site-packages");
  mkdirSync(join(dir, "bin"), { recursive: true });
  mkdirSync(join(dir, "include"), { recursive: true });
  mkdirSync(sitePackages, { recursive: true });
  if (process.arch.endsWith("64")) symlinkSync("lib", join(dir, "lib64"));
  symlinkSync(python.executable, join(dir, "bin", "python3"));
  symlinkSync("python3", join(dir, "bin", "python"));
  symlinkSync("python3", join(dir, "bin", `python${python.version}`));
  writeFileSync(
    join(dir, "pyvenv.cfg"),
    [
      `home = ${dirname(python.executable)}`,
      "include-system-site-packages = false",
      `version = ${python.fullVersion}`,
      `executable = ${python.executable}`,
      "",
    ].join("\n"),
  );
  return venvPython(dir);
}

/** The interpreter of the venv at `dir`. */
export function venvPython(dir: string): string {
  return join(dir, "bin", "python");
}
