/*
 * The ready-made integrations' structure: action.yml, .pre-commit-hooks.yaml, the GitLab template
 * and the Dockerfile parse, have the keys their hosts need, and every pipcanary command line they
 * build (recorded by a fake pipcanary on PATH) is one the CLI accepts, so renaming an option or a
 * command breaks this test.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { splitCommand } from "../../src/cli/argv.ts";
import { useTempDirs } from "../harness/temp.ts";
import {
  ROOT,
  actionStep,
  field,
  inputExpressions,
  invocationProblems,
  isRecord,
  pipcanaryBin,
  readYaml,
  recordedCalls,
  runProcess,
  runStep,
  text,
} from "./ci-files.ts";

const tempDir = useTempDirs("pipcanary-ci-files");
const HOST_PATH = process.env.PATH ?? "/usr/bin:/bin";

/** A fresh dir with a recording `pipcanary` first on PATH. */
function recorder(): { dir: string; record: string; path: string } {
  const dir = tempDir("recorder");
  const record = join(dir, "calls.jsonl");
  return { dir, record, path: `${pipcanaryBin(join(dir, "bin"), record)}:${HOST_PATH}` };
}

describe("invocationProblems (the checker the other tests rely on)", () => {
  test("accepts real command lines and names what is wrong with others", () => {
    expect(invocationProblems(["-r", "a.txt", "-p", "pyproject.toml", "--format", "sarif", "--pre"])).toEqual([]);
    expect(invocationProblems(["audit", "-r", "pylock.toml", "--osv-url=http://127.0.0.1:1"])).toEqual([]);
    expect(invocationProblems(["-r", "a.txt", "--no-such-option"])).toEqual(["pipcanary scan has no option --no-such-option"]);
    expect(invocationProblems(["rules", "-r", "a.txt"])).toContain("pipcanary rules has no option -r");
    expect(invocationProblems(["frobnicate"])).toHaveLength(1);
  });
});

describe("action.yml", () => {
  const action = readYaml("action.yml");
  const steps = field(action, "runs", "steps");

  test("is a composite action with the documented inputs and outputs", () => {
    expect(field(action, "name")).toBe("pipcanary");
    expect(typeof field(action, "description")).toBe("string");
    expect(field(action, "runs", "using")).toBe("composite");
    expect(Object.keys(field(action, "inputs") as object).sort()).toEqual(["args", "json-file", "project", "requirements", "sarif-file", "upload-sarif", "version"]);
    expect(field(action, "outputs", "exit-code", "value")).toBe("${{ steps.scan.outputs.exit-code }}");
    expect(field(action, "outputs", "sarif-file", "value")).toBe("${{ steps.scan.outputs.sarif-file }}");
    expect(field(action, "outputs", "json-file", "value")).toBe("${{ steps.scan.outputs.json-file }}");
    expect(Array.isArray(steps)).toBe(true);
  });

  test("every run step names its shell and takes inputs only through env (no expression inside a script)", () => {
    for (const step of steps as unknown[]) {
      if (field(step, "run") === undefined) continue;
      expect(field(step, "shell")).toBe("bash");
      expect(text(field(step, "run"), "run")).not.toContain("${{");
    }
  });

  test("uploads SARIF with codeql-action only when asked and when a report exists, even after a finding", () => {
    const upload = actionStep(action, "Upload SARIF");
    expect(text(field(upload, "uses"), "uses")).toStartWith("github/codeql-action/upload-sarif@");
    expect(field(upload, "with", "sarif_file")).toBe("${{ inputs.sarif-file }}");
    const condition = text(field(upload, "if"), "if");
    for (const part of ["always()", "inputs.upload-sarif == 'true'", "steps.scan.outputs.sarif == 'true'"]) expect(condition).toContain(part);
    const names = (steps as unknown[]).map((step) => field(step, "name"));
    expect(names.indexOf("Scan")).toBeLessThan(names.indexOf("Upload SARIF"));
    expect(names.at(-1)).toBe("Fail with pipcanary's exit code");
  });

  test("the scan step passes each requirements file with -r, the project with -p and the args, and asks one run for both report files", async () => {
    const { dir, record, path } = recorder();
    const expressions = inputExpressions(action, {
      requirements: "requirements.txt\nrequirements-dev.txt",
      project: "pyproject.toml",
      args: "--cool-down-phase-days 3  --only-binary :all:",
      "sarif-file": "out.sarif",
      "json-file": "out.json",
    });
    // A report of an earlier run in the workspace is not taken for this one's.
    writeFileSync(join(dir, "out.sarif"), "{}");
    const run = await runStep(actionStep(action, "Scan"), expressions, { cwd: dir, path, env: { FAKE_EXIT: "5" } });
    expect(run.code).toBe(0);
    expect(run.outputs).toEqual({ "exit-code": "5", sarif: "false" });
    expect(existsSync(join(dir, "out.sarif"))).toBe(false);
    const calls = recordedCalls(record);
    expect(calls).toEqual([
      ["-r", "requirements.txt", "-r", "requirements-dev.txt", "-p", "pyproject.toml", "--cool-down-phase-days", "3", "--only-binary", ":all:", "-o", "sarif:out.sarif", "-o", "json:out.json"],
    ]);
    for (const call of calls) expect(invocationProblems(call)).toEqual([]);
  });

  test("with no inputs the scan step runs plain discovery", async () => {
    const { dir, record, path } = recorder();
    const run = await runStep(actionStep(action, "Scan"), inputExpressions(action, {}), { cwd: dir, path });
    expect(run.outputs["exit-code"]).toBe("0");
    expect(recordedCalls(record)).toEqual([["-o", "sarif:pipcanary.sarif", "-o", "json:pipcanary.json"]]);
  });

  test("an empty json-file writes only the SARIF report", async () => {
    const { dir, record, path } = recorder();
    await runStep(actionStep(action, "Scan"), inputExpressions(action, { "json-file": "" }), { cwd: dir, path });
    expect(recordedCalls(record)).toEqual([["-o", "sarif:pipcanary.sarif"]]);
  });

  test("the last step fails with pipcanary's exit code", async () => {
    const dir = tempDir("fail");
    const last = actionStep(action, "Fail with pipcanary's exit code");
    for (const code of ["0", "4", "5"]) {
      const run = await runStep(last, { "steps.scan.outputs.exit-code": code }, { cwd: dir, path: HOST_PATH });
      expect(String(run.code)).toBe(code);
    }
  });

  test("the install step runs the install script shipped next to action.yml", () => {
    const install = actionStep(action, "Install pipcanary");
    expect(text(field(install, "run"), "run")).toContain("$GITHUB_ACTION_PATH/ci/github/install-pipcanary.sh");
    expect(statSync(join(ROOT, "ci", "github", "install-pipcanary.sh")).mode & 0o111).toBe(0o111);
    expect(field(install, "env", "RELEASE_BASE_URL")).toBe("${{ github.server_url }}/${{ github.action_repository }}/releases");
  });
});

describe(".pre-commit-hooks.yaml", () => {
  const hooks = readYaml(".pre-commit-hooks.yaml");
  const hook = Array.isArray(hooks) ? (hooks[0] as unknown) : undefined;

  test("declares one script hook that gets the changed files", () => {
    expect(Array.isArray(hooks) && hooks.length).toBe(1);
    for (const key of ["id", "name", "entry", "language", "files"]) expect(typeof field(hook, key)).toBe("string");
    expect(field(hook, "language")).toBe("script");
    expect(field(hook, "pass_filenames")).toBe(true);
    expect(statSync(join(ROOT, text(field(hook, "entry"), "entry"))).mode & 0o111).toBe(0o111);
  });

  test("its files pattern takes requirements, lock and project files and nothing else", () => {
    const files = new RegExp(text(field(hook, "files"), "files"));
    for (const name of ["requirements.txt", "sub/requirements-dev.txt", "requirements.lock", "ci.requirements.txt", "pyproject.toml", "a/uv.lock", "poetry.lock"]) {
      expect(`${name}: ${files.test(name)}`).toBe(`${name}: true`);
    }
    for (const name of ["setup.py", "docs/requirements.md", "pyproject.toml.bak", "requirements/base.in", "Cargo.lock", "pylock.toml"]) expect(`${name}: ${files.test(name)}`).toBe(`${name}: false`);
  });

  test("the entry maps each changed file to the right pipcanary input, after the hook's args", async () => {
    const { dir, record, path } = recorder();
    const entry = join(ROOT, text(field(hook, "entry"), "entry"));
    for (const sub of ["a", "b"]) await Bun.write(join(dir, sub, "pyproject.toml"), "[project]\n");
    const args = ["--osv-url", "http://127.0.0.1:9", "--rules", "extra.yaml"];
    const files = ["requirements.txt", "sub/requirements-dev.txt", "a/pyproject.toml", "a/uv.lock", "b/poetry.lock"];
    const run = await runProcess([entry, ...args, ...files], { cwd: dir, env: { PATH: path, HOME: dir } });
    expect(run.code).toBe(0);
    const calls = recordedCalls(record);
    expect(calls).toEqual([
      ["-r", "requirements.txt", "-r", "sub/requirements-dev.txt", ...args],
      ["-p", "a/pyproject.toml", ...args],
      ["-p", "b/pyproject.toml", ...args],
    ]);
    for (const call of calls) expect(invocationProblems(call)).toEqual([]);
  });

  test("the entry exits with the worst exit code of its runs", async () => {
    const { dir, path } = recorder();
    const entry = join(ROOT, text(field(hook, "entry"), "entry"));
    const run = await runProcess([entry, "requirements.txt"], { cwd: dir, env: { PATH: path, HOME: dir, FAKE_EXIT: "4" } });
    expect(run.code).toBe(4);
  });
});

describe("GitLab CI template", () => {
  const template = readYaml("ci/gitlab/pipcanary.gitlab-ci.yml");
  const job = field(template, ".pipcanary");

  test("defines a job that keeps the JSON and SARIF reports as artifacts, also when the scan fails", () => {
    expect(field(template, "pipcanary", "extends")).toBe(".pipcanary");
    expect(typeof field(job, "image")).toBe("string");
    expect(field(job, "artifacts", "when")).toBe("always");
    expect(field(job, "artifacts", "paths")).toEqual(["pipcanary.json", "pipcanary.sarif"]);
    for (const name of ["CANARY_VERSION", "CANARY_RELEASES_URL", "CANARY_REQUIREMENTS", "CANARY_PROJECT", "CANARY_ARGS"]) {
      expect(isRecord(field(template, "variables")) && name in (field(template, "variables") as object)).toBe(true);
    }
    const setup = (field(job, "before_script") as string[]).join("\n");
    for (const needed of ["bubblewrap", "strace", "sha256sum -c"]) expect(setup).toContain(needed);
  });

  test("its script runs one scan that writes both reports, and exits with its code", async () => {
    const { dir, record, path } = recorder();
    const script = (field(job, "script") as string[]).join("\n");
    const env = { PATH: path, HOME: dir, CANARY_REQUIREMENTS: "requirements.txt", CANARY_PROJECT: "pyproject.toml", CANARY_ARGS: "--pre", FAKE_EXIT: "5" };
    writeFileSync(join(dir, "pipcanary.sarif"), "{}");
    const run = await runProcess(["sh", "-c", script], { cwd: dir, env });
    expect(run.code).toBe(5);
    const calls = recordedCalls(record);
    expect(calls).toEqual([["-r", "requirements.txt", "-p", "pyproject.toml", "--pre", "-o", "json:pipcanary.json", "-o", "sarif:pipcanary.sarif"]]);
    for (const call of calls) expect(invocationProblems(call)).toEqual([]);
    // The recorder writes no report: a stale one from an earlier job is gone.
    expect(existsSync(join(dir, "pipcanary.sarif"))).toBe(false);
  });
});

describe("ci/container/Dockerfile", () => {
  const source = readFileSync(join(ROOT, "ci", "container", "Dockerfile"), "utf8");
  /** Instructions with continuations joined, comments dropped. */
  const instructions = source
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith("#"))
    .map((line) => ({ keyword: line.split(/\s+/)[0] ?? "", rest: line.slice(line.indexOf(" ") + 1) }));
  const of = (keyword: string) => instructions.filter((instruction) => instruction.keyword === keyword).map((instruction) => instruction.rest);

  test("builds the binary from this repository's files and ships it with bwrap, strace and pip", () => {
    expect(instructions[0]?.keyword).toBe("FROM");
    for (const copy of of("COPY").filter((rest) => !rest.startsWith("--from"))) {
      const sources = copy.split(/\s+/).slice(0, -1);
      for (const path of sources) expect(`${path}: ${existsSync(join(ROOT, path))}`).toBe(`${path}: true`);
    }
    expect(of("RUN").some((run) => run.includes("scripts/build.ts"))).toBe(true);
    // build.ts names a --target build dist/pipcanary-<target without "bun-">, which the Dockerfile moves.
    expect(readFileSync(join(ROOT, "scripts", "build.ts"), "utf8")).toContain('`dist/pipcanary-${target?.replace(/^bun-/, "")}`');
    expect(of("RUN").some((run) => run.includes('mv "dist/pipcanary-${target#bun-}" dist/pipcanary'))).toBe(true);
    const install = of("RUN").find((run) => run.includes("apt-get install")) ?? "";
    for (const pkg of ["bubblewrap", "strace", "python3-pip", "python3-venv"]) expect(install).toContain(pkg);
    expect(of("COPY")).toContain("--from=build /build/dist/pipcanary /usr/local/bin/pipcanary");
    expect(of("ENTRYPOINT")).toEqual(['["pipcanary"]']);
    const user = of("USER").at(-1);
    expect(user === undefined || user === "root" || user === "0").toBe(false);
  });

  test("the Dockerfile and the README name the run flags bubblewrap needs in Docker and Podman", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    for (const flag of ["seccomp=unconfined", "apparmor=unconfined", "systempaths=unconfined", "unmask=ALL"]) {
      expect(`Dockerfile names ${flag}: ${source.includes(flag)}`).toBe(`Dockerfile names ${flag}: true`);
      expect(`README names ${flag}: ${readme.includes(flag)}`).toBe(`README names ${flag}: true`);
    }
  });

  test("its default command is one the CLI accepts", () => {
    const cmd = JSON.parse(of("CMD")[0] ?? "[]") as string[];
    expect(invocationProblems(cmd)).toEqual([]);
    expect(splitCommand(cmd).help).toBe(true);
  });
});

describe("release asset names", () => {
  test("the release script builds every name the install scripts download", () => {
    const release = readFileSync(join(ROOT, "scripts", "release.ts"), "utf8");
    for (const asset of ["pipcanary-linux-x64", "pipcanary-linux-arm64", "pipcanary-linux-x64-musl", "pipcanary-linux-arm64-musl", "SHA256SUMS"]) expect(release).toContain(`"${asset}"`);
    const install = readFileSync(join(ROOT, "ci", "github", "install-pipcanary.sh"), "utf8");
    expect(install).toContain('asset="pipcanary-linux-${cpu}${libc}"');
  });
});
