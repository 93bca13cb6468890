import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { startIndexServer } from "./index-server.ts";
import { buildWheel } from "./wheel.ts";
import type { FixtureFile, FixtureProject, IndexServer } from "./types.ts";

const SIMPLE_JSON = "application/vnd.pypi.simple.v1+json";
const PIP_ACCEPT = `${SIMPLE_JSON}, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01`;

function release(version: string, extra: Partial<FixtureFile> = {}): FixtureProject["releases"][number] {
  const wheel = buildWheel({ name: "Demo_Pkg", version, files: { "demo_pkg/__init__.py": `V = "${version}"\n` } });
  return { version, files: [{ ...wheel, uploadTime: "2024-03-04T05:06:07Z", ...extra }] };
}

const project: FixtureProject = {
  name: "Demo_Pkg",
  releases: [
    release("1.0.0", { requiresPython: ">=3.8,<4" }),
    {
      ...release("1.5.0"),
      vulnerabilities: [
        { id: "PYSEC-2024-1", aliases: ["CVE-2024-0001"], fixedIn: ["1.6.0"], summary: "Bad <thing>" },
      ],
    },
    release("2.0.0", { yanked: "broken \"build\"" }),
    release("3.0.0rc1"),
    release("0.9.0", { uploadTime: undefined }),
  ],
};

let server: IndexServer;

beforeAll(async () => {
  server = await startIndexServer([project], { cacheMaxAge: 42 });
});
afterAll(async () => {
  await server.stop();
});
afterEach(() => {
  server.clearFailures();
  server.setLatency(0);
});

async function json(path: string, init?: RequestInit): Promise<Record<string, unknown>> {
  const response = await fetch(`${server.url}${path}`, init);
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

describe("simple index (PEP 503 HTML)", () => {
  test("lists projects and links every file with its hash, requires-python and yank reason", async () => {
    const root = await fetch(server.simpleUrl);
    expect(root.headers.get("content-type")).toBe("text/html");
    expect(await root.text()).toContain('<a href="demo-pkg/">Demo_Pkg</a>');

    const page = await (await fetch(`${server.simpleUrl}demo.pkg/`)).text();
    const wheel100 = project.releases[0]?.files[0];
    expect(page).toContain(
      `<a href="../../files/${wheel100?.filename}#sha256=${wheel100?.sha256}" data-requires-python="&gt;=3.8,&lt;4">`,
    );
    expect(page).toContain('data-yanked="broken &quot;build&quot;"');
    expect(page.indexOf("demo_pkg-0.9.0")).toBeLessThan(page.indexOf("demo_pkg-1.0.0"));
  });

  test("serves the linked file bytes", async () => {
    const file = project.releases[0]?.files[0];
    const response = await fetch(new URL(`../../files/${file?.filename}`, `${server.simpleUrl}demo-pkg/`));
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(file?.content ?? new Uint8Array())).toBe(true);
  });

  test("answers 404 for unknown projects, files and versions", async () => {
    expect((await fetch(`${server.simpleUrl}nope/`)).status).toBe(404);
    expect((await fetch(`${server.url}/files/nope-1.0.tar.gz`)).status).toBe(404);
    expect((await fetch(`${server.url}/pypi/nope/json`)).status).toBe(404);
    expect((await fetch(`${server.url}/pypi/demo-pkg/9.9/json`)).status).toBe(404);
    expect((await fetch(`${server.url}/elsewhere`)).status).toBe(404);
  });
});

describe("simple index (PEP 691 JSON)", () => {
  test("negotiates JSON the way pip asks for it", async () => {
    const response = await fetch(`${server.simpleUrl}DEMO-pkg/`, { headers: { accept: PIP_ACCEPT } });
    expect(response.headers.get("content-type")).toBe(SIMPLE_JSON);
    const page = (await response.json()) as {
      meta: Record<string, string>;
      name: string;
      files: Record<string, unknown>[];
      versions: string[];
    };
    expect(page.meta["api-version"]).toBe("1.1");
    expect(page.name).toBe("demo-pkg");
    expect(page.versions).toEqual(["0.9.0", "1.0.0", "1.5.0", "2.0.0", "3.0.0rc1"]);
    const [old, first, , yanked] = page.files;
    expect(first).toMatchObject({
      filename: "demo_pkg-1.0.0-py3-none-any.whl",
      url: `${server.url}/files/demo_pkg-1.0.0-py3-none-any.whl`,
      hashes: { sha256: project.releases[0]?.files[0]?.sha256 },
      "requires-python": ">=3.8,<4",
      yanked: false,
      size: project.releases[0]?.files[0]?.content.length,
      "upload-time": "2024-03-04T05:06:07.000000Z",
    });
    expect(yanked?.["yanked"]).toBe('broken "build"');
    expect(old && "upload-time" in old).toBe(false);
  });

  test("lists projects as JSON, also via ?format=", async () => {
    const list = await json(`/simple/?format=${encodeURIComponent(SIMPLE_JSON)}`);
    expect(list).toEqual({ meta: { "api-version": "1.1" }, projects: [{ name: "Demo_Pkg" }] });
  });

  test("refuses media types it cannot serve", async () => {
    expect((await fetch(server.simpleUrl, { headers: { accept: "application/xml" } })).status).toBe(406);
  });
});

describe("PyPI JSON API", () => {
  test("project: latest non-yanked final release, all releases, its urls and vulnerabilities", async () => {
    const body = await json("/pypi/demo-pkg/json");
    expect(body["info"]).toMatchObject({ name: "Demo_Pkg", version: "1.5.0", yanked: false });
    expect(Object.keys(body["releases"] as object)).toEqual(["0.9.0", "1.0.0", "1.5.0", "2.0.0", "3.0.0rc1"]);
    const urls = body["urls"] as Record<string, unknown>[];
    expect(urls).toHaveLength(1);
    expect(urls[0]).toMatchObject({
      filename: "demo_pkg-1.5.0-py3-none-any.whl",
      packagetype: "bdist_wheel",
      digests: { sha256: project.releases[1]?.files[0]?.sha256 },
      upload_time: "2024-03-04T05:06:07",
      upload_time_iso_8601: "2024-03-04T05:06:07.000000Z",
      yanked: false,
      yanked_reason: null,
      requires_python: null,
    });
    expect(body["vulnerabilities"]).toEqual([
      {
        aliases: ["CVE-2024-0001"],
        details: "Bad <thing>",
        fixed_in: ["1.6.0"],
        id: "PYSEC-2024-1",
        link: "https://osv.dev/vulnerability/PYSEC-2024-1",
        source: "osv",
        summary: "Bad <thing>",
        withdrawn: null,
      },
    ]);
  });

  test("version: info, urls and vulnerabilities of that release, yanked included", async () => {
    const yanked = await json("/pypi/demo_pkg/2.0.0/json");
    expect(yanked["info"]).toMatchObject({ version: "2.0.0", yanked: true, yanked_reason: 'broken "build"' });
    expect((yanked["urls"] as Record<string, unknown>[])[0]).toMatchObject({ yanked: true, yanked_reason: 'broken "build"' });
    expect(yanked["vulnerabilities"]).toEqual([]);
    const old = await json("/pypi/Demo-Pkg/0.9/json");
    const oldFile = (old["urls"] as Record<string, unknown>[])[0] ?? {};
    expect("upload_time" in oldFile || "upload_time_iso_8601" in oldFile).toBe(false);
    expect((old["info"] as Record<string, unknown>)["requires_python"]).toBeNull();
    const first = await json("/pypi/demo-pkg/1.0.0/json");
    expect((first["info"] as Record<string, unknown>)["requires_python"]).toBe(">=3.8,<4");
  });

  test("a later addProject replaces the project and serves its new files", async () => {
    const other = await startIndexServer();
    try {
      other.addProject({ name: "solo", releases: [release("1.0")] });
      other.addProject({ name: "Solo", releases: [release("2.0")] });
      const body = (await (await fetch(`${other.url}/pypi/solo/json`)).json()) as { releases: object };
      expect(Object.keys(body.releases)).toEqual(["2.0"]);
      expect((await fetch(`${other.url}/files/demo_pkg-1.0-py3-none-any.whl`)).status).toBe(404);
      expect((await fetch(`${other.url}/files/demo_pkg-2.0-py3-none-any.whl`)).status).toBe(200);
    } finally {
      await other.stop();
    }
  });
});

describe("caching headers", () => {
  test("JSON carries ETag and max-age; If-None-Match answers 304", async () => {
    const first = await fetch(`${server.url}/pypi/demo-pkg/json`);
    const etag = first.headers.get("etag");
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(first.headers.get("cache-control")).toContain("max-age=42");
    const again = await fetch(`${server.url}/pypi/demo-pkg/json`, { headers: { "if-none-match": etag ?? "" } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    const stale = await fetch(`${server.url}/pypi/demo-pkg/json`, { headers: { "if-none-match": '"other"' } });
    expect(stale.status).toBe(200);
    const simple = await fetch(`${server.simpleUrl}demo-pkg/`, { headers: { accept: SIMPLE_JSON } });
    expect(simple.headers.get("etag")).not.toBe(etag);
  });

  test("defaults to max-age=600", async () => {
    const plain = await startIndexServer([project]);
    try {
      expect((await fetch(`${plain.url}/pypi/demo-pkg/json`)).headers.get("cache-control")).toContain("max-age=600");
    } finally {
      await plain.stop();
    }
  });
});

describe("failure modes", () => {
  test("status per path prefix, longest prefix wins, clearFailures restores", async () => {
    server.fail("/pypi/", { kind: "status", status: 500 });
    server.fail("/pypi/demo-pkg/1.0.0/", { kind: "status", status: 503 });
    expect((await fetch(`${server.url}/pypi/demo-pkg/json`)).status).toBe(500);
    expect((await fetch(`${server.url}/pypi/demo-pkg/1.0.0/json`)).status).toBe(503);
    expect((await fetch(server.simpleUrl)).status).toBe(200);
    server.fail("/simple/demo-pkg/", { kind: "status", status: 404 });
    expect((await fetch(`${server.simpleUrl}demo-pkg/`)).status).toBe(404);
    server.clearFailures();
    expect((await fetch(`${server.url}/pypi/demo-pkg/json`)).status).toBe(200);
  });

  test("delay holds the answer back", async () => {
    server.fail("/pypi/", { kind: "delay", ms: 300 });
    const started = performance.now();
    expect((await fetch(`${server.url}/pypi/demo-pkg/json`)).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });

  test("setLatency slows every request", async () => {
    server.setLatency(200);
    const started = performance.now();
    await fetch(server.simpleUrl);
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
  });

  test("malformed JSON is a 200 whose body does not parse", async () => {
    server.fail("/pypi/demo-pkg/", { kind: "malformed-json" });
    const response = await fetch(`${server.url}/pypi/demo-pkg/json`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    await expect(response.json()).rejects.toThrow();
  });

  test("truncated announces the full length, sends half and closes", async () => {
    server.fail("/files/", { kind: "truncated" });
    const file = project.releases[0]?.files[0];
    const response = await fetch(`${server.url}/files/${file?.filename}`);
    expect(response.headers.get("content-length")).toBe(String(file?.content.length));
    await expect(response.arrayBuffer()).rejects.toThrow();
  });
});

describe("stop", () => {
  test("closes the port even while a delayed answer is pending", async () => {
    const short = await startIndexServer([project]);
    short.fail("/", { kind: "delay", ms: 60_000 });
    const pending = fetch(short.simpleUrl);
    await Bun.sleep(50);
    const started = performance.now();
    await short.stop();
    expect(performance.now() - started).toBeLessThan(2_000);
    await expect(pending).rejects.toThrow();
    await expect(fetch(short.simpleUrl)).rejects.toThrow();
  });
});

describe("request log", () => {
  test("records method, path, query, lower-cased headers and status in order", async () => {
    const before = server.requests.length;
    await fetch(`${server.simpleUrl}demo-pkg/?x=1`, { headers: { "X-Custom": "Yes", Accept: SIMPLE_JSON } });
    await fetch(`${server.url}/pypi/missing/json`, { method: "HEAD" });
    const [first, second] = server.requests.slice(before);
    expect(first).toMatchObject({ method: "GET", path: "/simple/demo-pkg/", query: "x=1", status: 200 });
    expect(first?.headers["x-custom"]).toBe("Yes");
    expect(first?.headers["accept"]).toBe(SIMPLE_JSON);
    expect(second).toMatchObject({ method: "HEAD", path: "/pypi/missing/json", status: 404 });
    expect(second && "query" in second).toBe(false);
  });
});
