import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Subprocess } from "bun";
import { join } from "node:path";
import { demoPackages, demoProjects, type DemoPackage } from "../../demo/packages.ts";
import { makeVenv, runIsolated, runPip } from "./pip.ts";
import { useTempDirs } from "./temp.ts";
import { buildWheel } from "./wheel.ts";

const repoRoot = join(import.meta.dir, "..", "..");
const tempDir = useTempDirs("pipcanary-demo");
const DAY_MS = 24 * 60 * 60 * 1000;

describe("demo packages", () => {
  test("upload times count back from now, so the demo never goes stale", () => {
    const now = new Date("2030-06-15T12:00:00Z");
    const projects = demoProjects(now);
    expect(projects.map((project) => project.name)).toEqual([
      "canary-demo-safe",
      "canary-demo-utils",
      "canary-demo-stealer",
      "canary-demo-obfuscated",
      "canary-demo-oldlib",
      "canary-demo-fresh",
    ]);
    for (const project of projects) {
      for (const release of project.releases) {
        const entry = demoPackages.find((candidate) => candidate.name === project.name && candidate.version === release.version);
        expect(release.files[0]?.uploadTime).toBe(new Date(now.getTime() - (entry?.uploadedDaysAgo ?? NaN) * DAY_MS).toISOString());
      }
    }
    expect(projects[0]?.releases[0]?.files[0]?.filename).toEndWith(".whl");
    expect(projects[1]?.releases[0]?.files[0]?.filename).toEndWith(".tar.gz");
  });

  test("entries of one name become releases of one project, with their vulnerabilities and yanks", () => {
    const entry = (version: string, tag: string, extra: Partial<DemoPackage> = {}): DemoPackage => ({
      name: "x",
      version,
      uploadedDaysAgo: 1,
      build: (id) => buildWheel({ ...id, files: { "x.py": "" }, tag }),
      ...extra,
    });
    const [project] = demoProjects(new Date(), [
      entry("1.0", "py3-none-any", { vulnerabilities: [{ id: "V-1" }] }),
      entry("1.0", "py2-none-any"),
      entry("2.0", "py3-none-any", { yanked: "oops" }),
    ]);
    expect(project?.releases.map((release) => [release.version, release.files.length])).toEqual([
      ["1.0", 2],
      ["2.0", 1],
    ]);
    expect(project?.releases[0]?.vulnerabilities).toEqual([{ id: "V-1" }]);
    expect(project?.releases[1]?.files[0]?.yanked).toBe("oops");
  });
});

describe("demo/serve.ts", () => {
  let child: Subprocess<"ignore", "pipe", "ignore">;
  beforeAll(() => {
    child = Bun.spawn([process.execPath, join(repoRoot, "demo", "serve.ts")], {
      cwd: repoRoot,
      stdout: "pipe",
      stderr: "ignore",
      stdin: "ignore",
    });
  });
  afterAll(async () => {
    if (child.exitCode === null) child.kill("SIGKILL");
    await child.exited;
  });

  let simpleUrl = "";

  test("prints its simple URL on the first line and serves the demo packages", async () => {
    simpleUrl = await firstLine(child.stdout);
    expect(simpleUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/simple\/$/);
    const page = await (await fetch(simpleUrl)).text();
    for (const name of ["canary-demo-safe", "canary-demo-utils", "canary-demo-stealer", "canary-demo-fresh", "setuptools", "wheel"]) expect(page).toContain(`>${name}<`);
  });

  test("pip installs the demo project's requirements from it and they work", async () => {
    const home = tempDir("home");
    const venv = await makeVenv(join(tempDir("venv"), "venv"), { home });
    const requirements = join(repoRoot, "demo", "projects", "safe", "requirements.txt");
    const install = await runPip(["install", "--index-url", simpleUrl, "-r", requirements], { home, venv });
    expect(install.stderr).not.toContain("ERROR");
    expect(install.exitCode).toBe(0);
    const run = await runIsolated(
      [venv.python, "-c", "import canary_demo_safe; print(canary_demo_safe.greet('  demo user '))"],
      { home },
    );
    expect(run.stdout.trim()).toBe("Hello, Demo User!");
  }, 240_000);

  test("stops cleanly on SIGTERM", async () => {
    child.kill("SIGTERM");
    expect(await child.exited).toBe(0);
    await expect(fetch(simpleUrl)).rejects.toThrow();
  });
});

async function firstLine(stream: ReadableStream<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of stream) {
    text += decoder.decode(chunk, { stream: true });
    if (text.includes("\n")) break;
  }
  return text.split("\n")[0] ?? "";
}
