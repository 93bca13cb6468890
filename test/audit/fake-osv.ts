import { normalizeName } from "../../src/core/names.ts";
import type { OsvRecord } from "../../src/audit/osv.ts";

/**
 * A loopback stand-in for api.osv.dev: /v1/querybatch answers from an explicit table of
 * (package, version) → ids (not by evaluating ranges, so it cannot share a bug with the code under
 * test), paged `pageSize` ids at a time with next_page_token; /v1/vulns/{id} serves records.
 */
export interface FakeOsv {
  url: string;
  requests: string[];
  stop(): Promise<void>;
}

export interface FakeOsvData {
  records: OsvRecord[];
  /** `name==version` (any spelling of the name) → vulnerability ids. */
  affected: Record<string, string[]>;
  pageSize?: number;
}

interface Query {
  package?: { name?: string; ecosystem?: string };
  version?: string;
  page_token?: string;
}

export function startFakeOsv(data: FakeOsvData): FakeOsv {
  const table = new Map<string, string[]>();
  for (const [key, ids] of Object.entries(data.affected)) {
    const [name = "", version = ""] = key.split("==");
    table.set(`${normalizeName(name)}==${version}`, ids);
  }
  const records = new Map(data.records.map((record) => [record.id, record]));
  const pageSize = data.pageSize ?? 1000;
  const requests: string[] = [];

  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(request) {
      const path = new URL(request.url).pathname;
      requests.push(`${request.method} ${path}`);
      if (request.method === "POST" && path === "/v1/querybatch") {
        const body = (await request.json()) as { queries: Query[] };
        const results = body.queries.map((query) => {
          if (query.package?.ecosystem !== "PyPI") return {};
          const ids = table.get(`${normalizeName(query.package.name ?? "")}==${query.version ?? ""}`) ?? [];
          const start = Number(query.page_token ?? 0);
          const page = ids.slice(start, start + pageSize);
          const result: Record<string, unknown> = page.length > 0 ? { vulns: page.map((id) => ({ id, modified: records.get(id)?.modified })) } : {};
          if (start + pageSize < ids.length) result.next_page_token = String(start + pageSize);
          return result;
        });
        return Response.json({ results });
      }
      const match = /^\/v1\/vulns\/([^/]+)$/.exec(path);
      if (request.method === "GET" && match) {
        const record = records.get(decodeURIComponent(match[1] ?? ""));
        return record ? Response.json(record) : Response.json({ code: 5, message: "Bug not found." }, { status: 404 });
      }
      return new Response("not found", { status: 404 });
    },
  });

  return {
    url: `http://127.0.0.1:${server.port}`,
    requests,
    stop: async () => {
      await server.stop(true);
    },
  };
}
