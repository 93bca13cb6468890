import { describe, expect, test } from "bun:test";
import { bypassesProxy, proxyFor } from "../../src/index/proxy.ts";

const bypass = (url: string, noProxy: string) => bypassesProxy(new URL(url), noProxy);

describe("proxy selection", () => {
  test("HTTPS_PROXY for https, HTTP_PROXY for http, ALL_PROXY as fallback, lower case too", () => {
    const env = { HTTPS_PROXY: "http://secure:3128", http_proxy: "http://plain:3128" };
    expect(proxyFor("https://pypi.org/simple/", env)).toBe("http://secure:3128");
    expect(proxyFor("http://mirror.local/simple/", env)).toBe("http://plain:3128");
    expect(proxyFor("https://pypi.org/simple/", { ALL_PROXY: "http://all:1" })).toBe("http://all:1");
    expect(proxyFor("https://pypi.org/simple/", {})).toBe(false);
    expect(proxyFor("https://pypi.org/simple/", { HTTPS_PROXY: "  " })).toBe(false);
  });

  test("NO_PROXY turns the proxy off for matching hosts", () => {
    const env = { HTTPS_PROXY: "http://proxy:3128", NO_PROXY: "localhost,.internal.example, 10.0.0.0/8" };
    expect(proxyFor("https://pypi.internal.example/simple/", env)).toBe(false);
    expect(proxyFor("https://10.1.2.3/simple/", env)).toBe(false);
    expect(proxyFor("https://pypi.org/simple/", env)).toBe("http://proxy:3128");
  });
});

describe("NO_PROXY matching", () => {
  test("domains match themselves and subdomains, with or without a leading dot", () => {
    expect(bypass("https://example.com/", "example.com")).toBe(true);
    expect(bypass("https://a.b.example.com/", "example.com")).toBe(true);
    expect(bypass("https://a.example.com/", ".example.com")).toBe(true);
    expect(bypass("https://a.example.com/", "*.example.com")).toBe(true);
    expect(bypass("https://notexample.com/", "example.com")).toBe(false);
    expect(bypass("https://EXAMPLE.com/", "Example.COM")).toBe(true);
  });

  test("* matches everything; empty entries match nothing", () => {
    expect(bypass("https://pypi.org/", "*")).toBe(true);
    expect(bypass("https://pypi.org/", " , ,")).toBe(false);
    expect(bypass("https://pypi.org/", "")).toBe(false);
  });

  test("ports restrict the entry", () => {
    expect(bypass("https://mirror.local:8443/", "mirror.local:8443")).toBe(true);
    expect(bypass("https://mirror.local/", "mirror.local:8443")).toBe(false);
    expect(bypass("https://mirror.local/", "mirror.local:443")).toBe(true);
  });

  test("IP addresses and CIDR blocks, v4 and v6", () => {
    expect(bypass("http://127.0.0.1:9000/", "127.0.0.1")).toBe(true);
    expect(bypass("http://127.5.6.7/", "127.0.0.0/8")).toBe(true);
    expect(bypass("http://128.0.0.1/", "127.0.0.0/8")).toBe(false);
    expect(bypass("http://192.168.1.20/", "192.168.1.0/24")).toBe(true);
    expect(bypass("http://[::1]:8080/", "::1")).toBe(true);
    expect(bypass("http://[::1]:8080/", "[::1]:8080")).toBe(true);
    expect(bypass("http://[fd00::5]/", "fd00::/8")).toBe(true);
    expect(bypass("http://[fe80::5]/", "fd00::/8")).toBe(false);
    expect(bypass("http://10.0.0.1/", "fd00::/8")).toBe(false);
  });
});
