import { describe, expect, test } from "bun:test";
import { inCidr, parseAddressPattern, parseIpv4, parseIpv6 } from "../../src/core/cidr.ts";

describe("addresses", () => {
  test("IPv4 and IPv6 expansion", () => {
    expect(parseIpv4("10.1.2.3")).toBe(0x0a010203);
    expect(parseIpv4("10.1.2.256")).toBeUndefined();
    expect(parseIpv4("10.1.2")).toBeUndefined();
    expect(parseIpv6("::1")).toBe("00000000000000000000000000000001");
    expect(parseIpv6("fe80::1%eth0")).toBe("fe800000000000000000000000000001");
    expect(parseIpv6("::ffff:127.0.0.9")).toBe("00000000000000000000ffff7f000009");
    expect(parseIpv6("1::2::3")).toBeUndefined();
    expect(parseIpv6("1:2:3:4:5:6:7")).toBeUndefined();
  });

  test("address patterns: CIDR blocks, single addresses, unix socket globs", () => {
    expect(parseAddressPattern("10.1.0.0/16")).toEqual({ family: "inet", bits: 16, prefix: 0x0a010000 });
    expect(parseAddressPattern("::1")).toEqual({ family: "inet6", bits: 128, prefix: "00000000000000000000000000000001" });
    expect(parseAddressPattern("/run/*.sock")).toEqual({ family: "unix", glob: "/run/*.sock" });
    expect(parseAddressPattern("10.0.0.0/33")).toBe("'10.0.0.0/33' has an invalid prefix length (0 to 32)");
    expect(parseAddressPattern("example.com")).toBe("'example.com' is not an IP address, a CIDR block, or a unix socket path");
  });

  test("membership of a CIDR block, per family", () => {
    expect(inCidr("10.1.200.3", "10.1.0.0/16")).toBe(true);
    expect(inCidr("10.2.0.1", "10.1.0.0/16")).toBe(false);
    expect(inCidr("fe80::abcd", "fe80::/10")).toBe(true);
    expect(inCidr("fe80::abcd", "10.0.0.0/8")).toBe(false);
    expect(inCidr("10.0.0.1", "::/0")).toBe(false);
    expect(inCidr("10.0.0.1", "10.0.0.0/99")).toBe(false);
    expect(inCidr("example.com", "10.0.0.0/8")).toBe(false);
  });
});
