import { afterAll, beforeAll, expect, test } from "bun:test";
import { auditDistributions } from "../../src/audit/index.ts";
import { createFetcher, IndexClient } from "../../src/index/client.ts";
import { HOLD_BACK_PATH, type HoldBackOptions, createHoldBackIndex } from "../../src/audit/hold-back.ts";
import { startIndexServer } from "../harness/index-server.ts";
import type { FixtureFile, IndexServer } from "../harness/types.ts";
import { buildWheel } from "../harness/wheel.ts";

const CUTOFF = new Date("2025-06-01T00:00:00Z");
const file = (name: string, version: string, uploadTime: string | undefined, extra: Partial<FixtureFile> = {}): FixtureFile => ({
  ...buildWheel({ name, version, files: { [`${name.replace(/-/g, "_")}/__init__.py`]: "" } }),
  ...(uploadTime ? { uploadTime } : {}),
  ...extra,
});

let server: IndexServer;
beforeAll(async () => {
  server = await startIndexServer([
    {
      name: "lib",
      releases: [
        { version: "1.0", files: [file("lib", "1.0", "2025-01-01T00:00:00Z", { requiresPython: ">=3.8" })] },
        { version: "2.0", files: [file("lib", "2.0", "2025-06-10T00:00:00Z")] },
        { version: "3.0", files: [file("lib", "3.0", "2025-06-20T00:00:00Z", { yanked: "broken" })] },
      ],
    },
    { name: "undated", releases: [{ version: "1.0", files: [file("undated", "1.0", undefined)] }] },
  ]);
});
afterAll(async () => {
  await server.stop();
});

function holdBack(extra: Partial<HoldBackOptions> = {}) {
  const options = { indexUrl: server.simpleUrl, noCache: true, env: {} };
  const index = new IndexClient(createFetcher(options), options);
  return createHoldBackIndex({ index, cutoff: CUTOFF, allowances: new Map(), pinned: new Map(), ...extra });
}

async function page(held: ReturnType<typeof holdBack>, project: string): Promise<{ versions: string[]; files: Array<Record<string, unknown>> }> {
  const answer = await held.answer(new URL(`http://127.0.0.1:3128${HOLD_BACK_PATH}${project}/`));
  expect(answer?.status).toBe(200);
  expect(answer?.contentType).toBe("application/vnd.pypi.simple.v1+json");
  return JSON.parse(answer?.body ?? "{}") as { versions: string[]; files: Array<Record<string, unknown>> };
}

test("a project page lists only the files uploaded before the cut-off, as PEP 691 JSON with absolute URLs", async () => {
  const held = holdBack();
  const listed = await page(held, "Lib");
  expect(listed.versions).toEqual(["1.0"]);
  expect(listed.files).toEqual([
    expect.objectContaining({ filename: "lib-1.0-py3-none-any.whl", url: `${server.url}/files/lib-1.0-py3-none-any.whl`, "requires-python": ">=3.8", yanked: false, "upload-time": "2025-01-01T00:00:00.000Z" }),
  ]);
  // A yanked release is not one pip would have picked, so it is not named as held back.
  expect(held.heldBack().map((release) => `${release.name} ${release.version} ${release.uploadTime.toISOString()}`)).toEqual(["lib 2.0 2025-06-10T00:00:00.000Z"]);
});

test("-a allowances and exact pins of the input stay visible", async () => {
  const allowed = await page(holdBack({ allowances: new Map([["lib", new Date("2025-06-15T00:00:00Z")]]) }), "lib");
  expect(allowed.versions).toEqual(["1.0", "2.0"]);
  const pinned = await page(holdBack({ pinned: new Map([["lib", ["2"]]]) }), "lib");
  expect(pinned.versions).toEqual(["1.0", "2.0"]);
});

test("files without an upload time are kept and named; unknown projects are 404; other paths are not answered", async () => {
  const held = holdBack();
  expect((await page(held, "undated")).versions).toEqual(["1.0"]);
  expect(held.unknownUploadTime()).toEqual(["undated-1.0-py3-none-any.whl"]);
  expect((await held.answer(new URL(`http://127.0.0.1:3128${HOLD_BACK_PATH}nope/`)))?.status).toBe(404);
  expect(await held.answer(new URL("http://127.0.0.1:3128/simple/lib/"))).toBeUndefined();
});

test("the cool-down suggestion honours the host interpreter's requires-python when the caller gives no python version (the scan's path)", async () => {
  const suggesting = await startIndexServer([
    {
      name: "py-bound",
      releases: [
        { version: "1.0", files: [file("py-bound", "1.0", "2025-01-01T00:00:00Z")] },
        { version: "1.5", files: [file("py-bound", "1.5", "2025-02-01T00:00:00Z", { requiresPython: ">=99" })] },
        { version: "2.0", files: [file("py-bound", "2.0", "2025-06-10T00:00:00Z")] },
      ],
    },
  ]);
  try {
    const report = await auditDistributions([{ name: "py-bound", version: "2.0" }], [], {
      indexUrl: suggesting.simpleUrl,
      osvUrl: suggesting.url,
      noCache: true,
      env: {},
      maxUploadTime: CUTOFF,
      now: () => new Date("2025-07-01T00:00:00Z"),
    });
    expect(report.packages[0]?.tooRecent?.suggestion?.version).toBe("1.0");
  } finally {
    await suggesting.stop();
  }
});
