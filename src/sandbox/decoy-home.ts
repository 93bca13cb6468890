import { randomInt } from "node:crypto";
import { type Dirent, existsSync, lstatSync, mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { type CanarySet, mirroredCanary } from "./canaries.ts";

/**
 * Directories of the real home whose entry NAMES are mirrored one level down, besides the home's
 * own entries. Only names: no content of the real home is ever read.
 */
const MIRRORED_DIRS = [".config", ".local", ".local/share", ".local/bin", ".cache", ".ssh", ".aws", ".docker", ".kube", ".gnupg"];

/** Always present, as on any home where a desktop or pip has run. */
const USUAL_DIRS = [".cache", ".config", ".local/share", ".local/bin"];

/**
 * pip's build-environment subprocesses (not started with --isolated) read the user's pip
 * configuration: the throwaway build env needs no bytecode, and compiling setuptools once per
 * sdist is slow traced. pip stores a boolean setting's value in the option's dest as is, and
 * --no-compile's dest is `compile`: "false" turns compiling off. A user config is an ordinary
 * file on a developer's machine, unlike a PIP_* variable in every process's environment.
 */
const PIP_CONF = "[global]\ndisable-pip-version-check = true\nno-input = true\n\n[install]\nno-compile = false\n";

function readNames(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

function isDirectory(path: string, entry: Dirent): boolean {
  if (entry.isDirectory()) return true;
  if (!entry.isSymbolicLink()) return false;
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * pipcanary's own traces in the real home (its cache, a config folder) are left out: the twin must
 * look like the machines the scanned packages will also be installed on, most of which never ran
 * pipcanary, so a payload must not be able to stay dormant wherever pipcanary has been.
 */
function isScannerOwn(name: string): boolean {
  return name.toLowerCase().includes("pipcanary");
}

/** The real home's entry names (top level and MIRRORED_DIRS), relative, with whether each is a dir. */
function hostHomeNames(realHome: string): Map<string, boolean> {
  const names = new Map<string, boolean>();
  for (const relative of ["", ...MIRRORED_DIRS]) {
    if (relative !== "" && names.get(relative) !== true) continue;
    for (const entry of readNames(join(realHome, relative))) {
      if (isScannerOwn(entry.name)) continue;
      const path = relative === "" ? entry.name : `${relative}/${entry.name}`;
      names.set(path, isDirectory(join(realHome, path), entry));
    }
  }
  return names;
}

/** A time within the last `maxDays` days, not in the last hour. */
function pastTime(maxDays: number): Date {
  return new Date(Date.now() - 3_600_000 - randomInt(maxDays * 24) * 3_600_000 - randomInt(3_600_000));
}

/** The real entry's modification time, or a plausible one when it has none to give. */
function hostTime(realHome: string, relative: string): Date {
  try {
    return lstatSync(join(realHome, relative)).mtime;
  } catch {
    return pastTime(700);
  }
}

/**
 * Writes the decoy home into `dir`, which the sandbox sees at the real home's path: the names of
 * the real home's entries (files empty, or canaries when the name says credential), the canary
 * files of `canaries`, and a user pip config. Times are the real entries' or random ones in the
 * past, and canary sizes and contents vary per run, so the set is no constant list a payload can
 * recognise.
 */
export function buildDecoyHome(dir: string, canaries: CanarySet, realHome: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const times = new Map<string, Date>();
  const files = new Map(canaries.files);
  files.set(".config/pip/pip.conf", PIP_CONF);
  // The canaries' own paths win over a host entry of the same name that is a file where a
  // canary needs a directory, or the reverse.
  const planted = new Set([...files.keys(), ...USUAL_DIRS].flatMap((relative) => relative.split("/").map((_, depth, parts) => parts.slice(0, depth + 1).join("/"))));
  for (const [relative, directory] of hostHomeNames(realHome)) {
    if (planted.has(relative)) {
      times.set(relative, hostTime(realHome, relative));
      continue;
    }
    const path = join(dir, relative);
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    if (directory) mkdirSync(path, { recursive: true, mode: 0o700 });
    else writeFileSync(path, mirroredCanary(relative, canaries.token) ?? "", { mode: 0o600 });
    times.set(relative, hostTime(realHome, relative));
  }
  for (const [relative, content] of files) {
    const path = join(dir, relative);
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(path, content, { mode: 0o600 });
  }
  for (const usual of USUAL_DIRS) mkdirSync(join(dir, usual), { recursive: true, mode: 0o700 });
  for (const relative of planted) if (!times.has(relative)) times.set(relative, pastTime(700));
  // Deepest first, so that setting a file's time does not bump its directory's afterwards.
  const ordered = [...times.entries()].sort(([a], [b]) => b.split("/").length - a.split("/").length);
  for (const [relative, time] of ordered) {
    const path = join(dir, relative);
    if (existsSync(path)) utimesSync(path, time, time);
  }
  utimesSync(dir, pastTime(30), pastTime(30));
}
