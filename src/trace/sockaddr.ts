import type { SocketFamily } from "./events.ts";
import { readInt, readString } from "./strace-text.ts";

export interface SocketAddress {
  family: SocketFamily;
  address: string;
  port: number | undefined;
}

const FAMILIES: ReadonlyArray<readonly [string, SocketFamily]> = [
  ["AF_INET6", "inet6"],
  ["AF_INET", "inet"],
  ["AF_UNIX", "unix"],
  ["AF_LOCAL", "unix"],
  ["AF_NETLINK", "netlink"],
];

/**
 * Decodes strace's sockaddr struct `{sa_family=AF_INET, sin_port=htons(4444),
 * sin_addr=inet_addr("127.0.0.9")}` (and the AF_INET6 / AF_UNIX forms) between `start` and `end`.
 */
export function readSocketAddress(s: string, start: number, end: number): SocketAddress | undefined {
  const at = s.indexOf("sa_family=", start);
  if (at === -1 || at > end) return undefined;
  const familyStart = at + 10;
  let family: SocketFamily = "other";
  for (const [name, value] of FAMILIES) {
    if (s.startsWith(name, familyStart)) {
      const next = s.charCodeAt(familyStart + name.length);
      if (next === 44 || next === 125) {
        family = value;
        break;
      }
    }
  }
  switch (family) {
    case "inet":
      return { family, address: quotedAfter(s, "inet_addr(", start, end) ?? "", port: portOf(s, "sin_port=htons(", start, end) };
    case "inet6":
      return { family, address: quotedAfter(s, "inet_pton(AF_INET6, ", start, end) ?? "", port: portOf(s, "sin6_port=htons(", start, end) };
    case "unix": {
      const path = s.indexOf("sun_path=", start);
      if (path === -1 || path > end) return { family, address: "", port: undefined };
      const abstract = s.charCodeAt(path + 9) === 64;
      const text = readString(s, path + 9 + (abstract ? 1 : 0), end) ?? "";
      return { family, address: abstract ? `@${text}` : text, port: undefined };
    }
    default:
      return { family, address: "", port: undefined };
  }
}

function quotedAfter(s: string, marker: string, start: number, end: number): string | undefined {
  const at = s.indexOf(marker, start);
  if (at === -1 || at > end) return undefined;
  return readString(s, at + marker.length, end);
}

function portOf(s: string, marker: string, start: number, end: number): number | undefined {
  const at = s.indexOf(marker, start);
  if (at === -1 || at > end) return undefined;
  const port = readInt(s, at + marker.length, end);
  return Number.isNaN(port) ? undefined : port;
}
