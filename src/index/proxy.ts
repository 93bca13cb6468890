/**
 * The standard proxy variables, decided per URL: HTTPS_PROXY / HTTP_PROXY (either case, upper
 * case wins like curl), ALL_PROXY as the fallback, and NO_PROXY. We decide ourselves and hand
 * Bun's fetch an explicit `proxy` (or `false`), so the behaviour is the same in every Bun version
 * and testable without a real proxy.
 */
import { inCidr } from "../core/cidr.ts";

export type ProxyEnv = Readonly<Record<string, string | undefined>>;

function variable(env: ProxyEnv, name: string): string | undefined {
  const value = env[name.toUpperCase()] ?? env[name.toLowerCase()];
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

/** The proxy URL for `target`, or false for a direct connection. */
export function proxyFor(target: string | URL, env: ProxyEnv = process.env): string | false {
  const url = typeof target === "string" ? new URL(target) : target;
  const scheme = url.protocol.replace(/:$/, "");
  const proxy = variable(env, `${scheme}_proxy`) ?? variable(env, "all_proxy");
  if (proxy === undefined) return false;
  if (bypassesProxy(url, variable(env, "no_proxy") ?? "")) return false;
  return proxy;
}

function defaultPort(protocol: string): string {
  return protocol === "https:" ? "443" : protocol === "http:" ? "80" : "";
}

/**
 * NO_PROXY as curl and Python's urllib read it: comma or space separated entries; `*` matches
 * everything; `host` and `.host` match the host and its subdomains; `host:port` only that port;
 * IP addresses and CIDR blocks (`10.0.0.0/8`) match by address.
 */
export function bypassesProxy(url: URL, noProxy: string): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const port = url.port || defaultPort(url.protocol);
  for (const raw of noProxy.split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase();
    if (entry === "") continue;
    if (entry === "*") return true;
    const { pattern, entryPort } = splitPort(entry);
    if (entryPort !== undefined && entryPort !== port) continue;
    if (pattern.includes("/")) {
      if (inCidr(host, pattern)) return true;
      continue;
    }
    const domain = pattern.replace(/^\*?\./, "");
    if (host === domain || host.endsWith(`.${domain}`)) return true;
  }
  return false;
}

function splitPort(entry: string): { pattern: string; entryPort: string | undefined } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed) return { pattern: bracketed[1] ?? "", entryPort: bracketed[2] };
  const hostPort = /^([^:]+):(\d+)$/.exec(entry);
  if (hostPort) return { pattern: hostPort[1] ?? "", entryPort: hostPort[2] };
  return { pattern: entry, entryPort: undefined };
}
