/**
 * A finding for every request of the fetch phase that goes to a host other than the company's
 * package index, by pip or by package code: a dependency resolved from a public index (dependency
 * confusion), or an index linking files elsewhere. pipcanary's own egress rules already block
 * package code that reaches the network; this adds the company's view of where packages may come
 * from.
 *
 * COMPANY_INDEX_HOSTS: the allowed hosts (`host` or `host:port`, commas or spaces).
 * COMPANY_EGRESS_SEVERITY: block (default) or warn.
 *
 *   COMPANY_INDEX_HOSTS=pypi.corp.example pipcanary --plugin plugins/company-egress.ts -r requirements.txt
 */
import { definePlugin } from "pipcanary/plugin";

const RULE_ID = "org.company-egress";

const hosts = new Set<string>();
let severity: "block" | "warn" = "block";

function allowed(host: string, port: number): boolean {
  return hosts.has(host) || hosts.has(`${host}:${port}`);
}

export default definePlugin({
  name: "company-egress",
  api: "^1.0.0",
  rules: [
    {
      id: RULE_ID,
      severity: "block",
      description: "Download from outside the company index.",
      explanation: "Packages must come from the company's package index; a request to another host means a dependency or file from elsewhere.",
    },
  ],
  setup({ env }) {
    hosts.clear();
    for (const host of (env.COMPANY_INDEX_HOSTS ?? "").split(/[\s,]+/)) if (host !== "") hosts.add(host.toLowerCase());
    if (hosts.size === 0) throw new Error("set COMPANY_INDEX_HOSTS to the company index's host names");
    const wanted = env.COMPANY_EGRESS_SEVERITY ?? "block";
    if (wanted !== "block" && wanted !== "warn") throw new Error(`COMPANY_EGRESS_SEVERITY must be block or warn, not ${wanted}`);
    severity = wanted;
  },
  onEgress({ attempt, package: name, argv }) {
    if (allowed(attempt.host, attempt.port)) return [];
    return [
      {
        ruleId: RULE_ID,
        severity,
        package: name,
        subject: { kind: "connection", address: attempt.host, port: attempt.port },
        syscall: "connect",
        argv,
      },
    ];
  },
});
