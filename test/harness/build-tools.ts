import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { strFromU8, unzipSync } from "fflate";
import { builtFile } from "./distribution-format.ts";
import { hostPython } from "./pip.ts";
import type { FixtureProject } from "./types.ts";

/*
 * pip builds an sdist in an isolated environment into which it installs the build requirements
 * (setuptools, and wheel for setup.py projects and setuptools < 70) from the index. There is no
 * PyPI here, so the fixture index serves wheels that are already on the machine: setuptools from
 * the interpreter's own ensurepip bundle and wheel from Debian's python3-wheel-whl. Debian's own
 * python3 keeps its ensurepip wheels in /usr/share/python-wheels instead, so that is the fallback.
 */

const DEBIAN_WHEELS = "/usr/share/python-wheels";
/** Long before any cool-down window, so audits never flag the build tools as too recent. */
const BUILD_TOOL_UPLOAD_TIME = "2023-01-01T00:00:00Z";

let cached: FixtureProject[] | undefined;

/** setuptools and wheel as fixture projects; throws with the install command when one is missing. */
export function buildToolProjects(): FixtureProject[] {
  cached ??= [
    wheelProject(
      findWheel([ensurepipBundle(), DEBIAN_WHEELS], "setuptools", "Install it with: apt-get install python3-setuptools-whl"),
    ),
    wheelProject(findWheel([DEBIAN_WHEELS], "wheel", "Install it with: apt-get install python3-wheel-whl")),
  ];
  return cached;
}

function ensurepipBundle(): string {
  const result = Bun.spawnSync(
    [hostPython(), "-I", "-c", "import ensurepip, os; print(os.path.dirname(ensurepip.__file__))"],
    { stdout: "pipe", stderr: "pipe" },
  );
  const dir = result.stdout.toString().trim();
  if (result.exitCode !== 0 || !dir) {
    throw new Error(`${hostPython()} has no ensurepip module. Install it with: apt-get install python3-venv`);
  }
  return join(dir, "_bundled");
}

/** The newest `<project>-*.whl` of the first directory that has one. */
function findWheel(dirs: string[], project: string, hint: string): string {
  for (const dir of dirs) {
    const names = existsSync(dir) ? readdirSync(dir) : [];
    const wheels = names.filter((name) => name.startsWith(`${project}-`) && name.endsWith(".whl"));
    const newest = wheels.sort((a, b) => a.localeCompare(b, "en", { numeric: true })).at(-1);
    if (newest) return join(dir, newest);
  }
  throw new Error(`No ${project}-*.whl in ${dirs.join(" or ")}; sdists cannot be built offline without it. ${hint}`);
}

function wheelProject(path: string): FixtureProject {
  const content = new Uint8Array(readFileSync(path));
  const metadata = readMetadata(content, path);
  const name = metadata.get("name");
  const version = metadata.get("version");
  if (!name || !version) throw new Error(`${path}: METADATA has no Name or Version`);
  const file = { ...builtFile(basename(path), content, metadata.get("requires-python")), uploadTime: BUILD_TOOL_UPLOAD_TIME };
  return { name, releases: [{ version, files: [file] }] };
}

/** The first occurrence of each header of the wheel's `.dist-info/METADATA`, keys lower-cased. */
function readMetadata(wheel: Uint8Array, path: string): Map<string, string> {
  const entries = unzipSync(wheel, { filter: (entry) => /^[^/]+\.dist-info\/METADATA$/.test(entry.name) });
  const metadata = Object.values(entries)[0];
  if (!metadata) throw new Error(`${path} has no .dist-info/METADATA`);
  const headers = new Map<string, string>();
  for (const line of strFromU8(metadata).split("\n")) {
    if (line.trim() === "") break;
    const match = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
    if (match?.[1] && match[2] !== undefined && !headers.has(match[1].toLowerCase())) {
      headers.set(match[1].toLowerCase(), match[2].trim());
    }
  }
  return headers;
}
