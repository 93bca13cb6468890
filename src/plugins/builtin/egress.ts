import { definePlugin, type PluginRule } from "../api.ts";

const EGRESS: PluginRule = {
  id: "egress",
  severity: "block",
  description: "Network connection from package code.",
  explanation:
    "Code of the package used the network while pip was downloading. Only pip needs the network, to fetch from the configured indexes; a package that reaches out during its build can send stolen data or fetch a second stage.",
};

const EGRESS_REFUSED: PluginRule = {
  id: "egress-refused",
  severity: "block",
  description: "Network connection to a host that is not a package index.",
  explanation:
    "While pip was downloading, code reached out to a destination other than the configured indexes. Malware does this to send stolen credentials away or to fetch its next stage.",
};

/**
 * The egress proxy's requests, blamed through the process tree: any request from package code
 * blocks, reported with its real destination (the trace only sees a connection to the in-sandbox
 * forwarder). pip's own requests to the indexes are the point of the fetch phase; a refused one
 * of pip's is a warning (an index linking files elsewhere).
 */
export const egressPlugin = definePlugin({
  name: "builtin:egress",
  api: "^1.0.0",
  rules: [EGRESS, EGRESS_REFUSED],
  onEgress: ({ attempt, package: packageName, argv }) => {
    if (packageName === undefined && attempt.allowed) return [];
    return [
      {
        ruleId: attempt.allowed ? EGRESS.id : EGRESS_REFUSED.id,
        severity: packageName === undefined ? "warn" : "block",
        package: packageName,
        subject: { kind: "connection", address: attempt.host, port: attempt.port },
        syscall: "connect",
        argv,
      },
    ];
  },
});
