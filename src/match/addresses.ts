import { compileGlob } from "../core/glob.ts";

/** A parsed `addresses:` entry: an IPv4/IPv6 CIDR block, or a glob over unix socket paths. */
export type AddressPattern =
  | { family: "inet"; bits: number; prefix: number }
  | { family: "inet6"; bits: number; prefix: string }
  | { family: "unix"; glob: string };

/** Parses `a.b.c.d` into an unsigned 32-bit number, or undefined. */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = value * 256 + n;
  }
  return value;
}

/** Expands an IPv6 address to 32 lower-case hex digits, or undefined. */
export function parseIpv6(text: string): string | undefined {
  let head = text.toLowerCase();
  const scope = head.indexOf("%");
  if (scope !== -1) head = head.slice(0, scope);
  // A trailing dotted quad (::ffff:1.2.3.4) becomes two hextets.
  const lastColon = head.lastIndexOf(":");
  const tail = head.slice(lastColon + 1);
  if (tail.includes(".")) {
    const v4 = parseIpv4(tail);
    if (v4 === undefined) return undefined;
    head = `${head.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = head.split("::");
  if (halves.length > 2) return undefined;
  const left = halves[0] ? halves[0].split(":") : [];
  const right = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const missing = 8 - left.length - right.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...right];
  let out = "";
  for (const group of groups) {
    if (!/^[0-9a-f]{1,4}$/.test(group)) return undefined;
    out += group.padStart(4, "0");
  }
  return out.length === 32 ? out : undefined;
}

/** The IPv4 address inside an IPv4-mapped IPv6 address (::ffff:a.b.c.d), if it is one. */
export function mappedIpv4(hex: string): number | undefined {
  if (!hex.startsWith("00000000000000000000ffff")) return undefined;
  return Number.parseInt(hex.slice(24), 16);
}

export function maskIpv4(value: number, bits: number): number {
  if (bits === 0) return 0;
  return ((value >>> (32 - bits)) << (32 - bits)) >>> 0;
}

/** The first `bits` bits of an expanded IPv6 address, as a comparable key. */
export function maskIpv6(hex: string, bits: number): string {
  const whole = bits >> 2;
  const rest = bits & 3;
  if (rest === 0) return hex.slice(0, whole);
  const nibble = Number.parseInt(hex[whole] ?? "0", 16) & ((0xf << (4 - rest)) & 0xf);
  return hex.slice(0, whole) + nibble.toString(16);
}

/** Parses an `addresses:` entry, or returns a problem description. */
export function parseAddressPattern(text: string): AddressPattern | string {
  if (text.startsWith("/") || text.startsWith("@")) return { family: "unix", glob: text };
  const slash = text.indexOf("/");
  const ip = slash === -1 ? text : text.slice(0, slash);
  const bitsText = slash === -1 ? undefined : text.slice(slash + 1);
  const v4 = parseIpv4(ip);
  const v6 = v4 === undefined ? parseIpv6(ip) : undefined;
  if (v4 === undefined && v6 === undefined) return `'${text}' is not an IP address, a CIDR block, or a unix socket path`;
  const max = v4 !== undefined ? 32 : 128;
  const bits = bitsText === undefined ? max : /^\d{1,3}$/.test(bitsText) ? Number(bitsText) : Number.NaN;
  if (!(bits >= 0 && bits <= max)) return `'${text}' has an invalid prefix length (0 to ${max})`;
  if (v4 !== undefined) return { family: "inet", bits, prefix: maskIpv4(v4, bits) };
  return { family: "inet6", bits, prefix: maskIpv6(v6 ?? "", bits) };
}

/**
 * Prefix tables for many CIDR blocks: one map per distinct prefix length, so a lookup costs at
 * most 33 (IPv4) or 129 (IPv6) map probes whatever the number of rules.
 */
export class AddressTable {
  private readonly v4 = new Map<number, Map<number, number[]>>();
  private readonly v6 = new Map<number, Map<string, number[]>>();
  private readonly unix: Array<{ regex: RegExp; value: number }> = [];

  add(pattern: AddressPattern, value: number): void {
    if (pattern.family === "unix") {
      this.unix.push({ regex: compileGlob(pattern.glob, "path"), value });
    } else if (pattern.family === "inet") {
      push(this.v4, pattern.bits, pattern.prefix, value);
    } else {
      push(this.v6, pattern.bits, pattern.prefix, value);
    }
  }

  /** Calls `found` for every pattern containing `address` of `family`. */
  match(family: string, address: string, found: (value: number) => void): void {
    if (family === "unix") {
      for (const entry of this.unix) if (entry.regex.test(address)) found(entry.value);
      return;
    }
    let v4: number | undefined;
    if (family === "inet") v4 = parseIpv4(address);
    else if (family === "inet6") {
      const hex = parseIpv6(address);
      if (hex === undefined) return;
      for (const [bits, table] of this.v6) table.get(maskIpv6(hex, bits))?.forEach(found);
      v4 = mappedIpv4(hex);
    }
    if (v4 === undefined) return;
    for (const [bits, table] of this.v4) table.get(maskIpv4(v4, bits))?.forEach(found);
  }
}

function push<K>(tables: Map<number, Map<K, number[]>>, bits: number, key: K, value: number): void {
  let table = tables.get(bits);
  if (table === undefined) {
    table = new Map();
    tables.set(bits, table);
  }
  const list = table.get(key);
  if (list === undefined) table.set(key, [value]);
  else if (!list.includes(value)) list.push(value);
}
