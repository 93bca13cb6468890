import { type AddressPattern, mappedIpv4, maskIpv4, maskIpv6, parseIpv4, parseIpv6 } from "../core/cidr.ts";
import { compileGlob } from "../core/glob.ts";

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
