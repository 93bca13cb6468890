import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { buildToolProjects } from "./build-tools.ts";
import { startIndexServer } from "./index-server.ts";
import { isolatedEnv, makeVenv, runIsolated, runPip, type Venv } from "./pip.ts";
import { buildSdist } from "./sdist.ts";
import { useTempDirs } from "./temp.ts";
import type { BuiltFile, FixtureProject, IndexServer } from "./types.ts";
import { buildWheel } from "./wheel.ts";

/*
 * The proof that the harness is real: the host's own pip, cut off from every host pip setting,
 * resolves and installs packages built here, from the fixture index only, and they import.
 */

const tempDir = useTempDirs("pipcanary-pip-proof");
/** pip builds two sdists in fresh build environments; on a busy 2-core machine that takes a while. */
const PIP_TIMEOUT_MS = 240_000;

function project(name: string, version: string, file: BuiltFile): FixtureProject {
  return { name, releases: [{ version, files: [{ ...file, uploadTime: "2024-01-01T00:00:00Z" }] }] };
}

const wheel = buildWheel({
  name: "harness-proof-wheel",
  version: "1.0.0",
  files: { "proof_wheel/__init__.py": "from proof_setup_py import VALUE as SETUP\nVALUE = 'wheel'\n" },
  requires: ["harness-proof-setup-py>=0.1", "harness-proof-pyproject"],
  requiresPython: ">=3.8",
});
const setupPySdist = buildSdist({
  name: "harness-proof-setup-py",
  version: "0.1.0",
  files: { "proof_setup_py/__init__.py": "VALUE = 'setup.py sdist'\n" },
});
const pyprojectSdist = buildSdist({
  name: "harness-proof-pyproject",
  version: "2.0",
  pyproject: [
    "[build-system]",
    'requires = ["setuptools>=61"]',
    'build-backend = "setuptools.build_meta"',
    "",
    "[project]",
    'name = "harness-proof-pyproject"',
    'version = "2.0"',
    "",
    "[tool.setuptools]",
    'py-modules = ["proof_pyproject"]',
    "",
  ].join("\n"),
  files: { "proof_pyproject.py": "VALUE = 'pyproject sdist'\n" },
});

let server: IndexServer;
let home: string;

beforeAll(async () => {
  server = await startIndexServer([
    ...buildToolProjects(),
    project("harness-proof-wheel", "1.0.0", wheel),
    project("harness-proof-setup-py", "0.1.0", setupPySdist),
    project("harness-proof-pyproject", "2.0", pyprojectSdist),
  ]);
  home = tempDir("home");
});
afterAll(async () => {
  await server.stop();
});

describe("the host's pip against the fixture index", () => {
  let venv: Venv;

  test("installs a built wheel and two built sdists (setup.py, pyproject.toml) into a venv", async () => {
    venv = await makeVenv(join(tempDir("venv"), "venv"), { home });
    const install = await runPip(["install", "--index-url", server.simpleUrl, "-v", "harness-proof-wheel"], {
      home,
      venv,
    });
    expect(install.stderr).not.toContain("ERROR");
    expect(install.exitCode).toBe(0);
    expect(install.stdout).toContain(`Looking in indexes: ${server.simpleUrl}`);
    expect(install.stdout).toMatch(/Successfully installed .*harness-proof-pyproject-2\.0/);
    expect(install.stdout).toMatch(/Successfully installed .*harness-proof-setup-py-0\.1\.0/);
    expect(install.stdout).toMatch(/Successfully installed .*harness-proof-wheel-1\.0\.0/);

    const served = server.requests.filter((request) => request.status === 200).map((request) => request.path);
    expect(served).toContain(`/files/${wheel.filename}`);
    expect(served).toContain(`/files/${setupPySdist.filename}`);
    expect(served).toContain(`/files/${pyprojectSdist.filename}`);
    // Build isolation fetched its setuptools and wheel from the fixture index, not from the host.
    const [setuptools, wheelTool] = buildToolProjects().map((tool) => tool.releases[0]?.files[0]?.filename);
    expect(served).toContain(`/files/${setuptools}`);
    expect(served).toContain(`/files/${wheelTool}`);
  }, PIP_TIMEOUT_MS);

  test("the venv's python imports every installed package", async () => {
    const script = [
      "import proof_wheel, proof_setup_py, proof_pyproject",
      "print(proof_wheel.VALUE, proof_wheel.SETUP, proof_pyproject.VALUE, sep='|')",
      "print(proof_wheel.__file__, proof_setup_py.__file__, proof_pyproject.__file__, sep='\\n')",
    ].join("; ");
    const run = await runIsolated([venv.python, "-c", script], { home });
    expect(run.stderr).toBe("");
    const [values, ...files] = run.stdout.trim().split("\n");
    expect(values).toBe("wheel|setup.py sdist|pyproject sdist");
    expect(files).toHaveLength(3);
    for (const file of files) expect(file.startsWith(join(venv.dir, "lib"))).toBe(true);
  }, PIP_TIMEOUT_MS);
});

describe("isolation from the host's pip configuration", () => {
  test("the clean environment carries no host PIP_* variable and reads no config file", async () => {
    const env = isolatedEnv(home);
    expect(Object.keys(env).filter((key) => key.startsWith("PIP_"))).toEqual(["PIP_CONFIG_FILE"]);
    const debug = await runPip(["config", "debug"], { home });
    expect(debug.exitCode).toBe(0);
    expect(debug.stdout).not.toContain("/opt/");
    expect(debug.stdout).not.toMatch(/^\s+global\.|^\s+PIP_FIND_LINKS/m);
    const list = await runPip(["config", "list"], { home });
    expect(list.stdout.trim()).toBe("");
  }, PIP_TIMEOUT_MS);

  test("packages that only the host's find-links or file:// indexes hold are not found", async () => {
    const dest = tempDir("download");
    // torch is only in the machine's find-links folder, aiofiles only in its extra file:// index.
    for (const name of ["torch", "aiofiles"]) {
      const download = await runPip(["download", "--no-deps", "-v", "-d", dest, "--index-url", server.simpleUrl, name], {
        home,
      });
      expect(download.exitCode).not.toBe(0);
      expect(download.stderr).toContain(`No matching distribution found for ${name}`);
      expect(`${download.stdout}${download.stderr}`).not.toContain("/opt/");
      expect(server.requests.some((request) => request.path === `/simple/${name}/` && request.status === 404)).toBe(true);
    }
  }, PIP_TIMEOUT_MS);
});
