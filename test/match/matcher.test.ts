import { describe, expect, test } from "bun:test";
import { parseAddressPattern } from "../../src/core/cidr.ts";
import { AddressTable } from "../../src/match/addresses.ts";
import { compileRules } from "../../src/match/matcher.ts";
import { PathTrie } from "../../src/match/path-trie.ts";
import type { Finding } from "../../src/core/finding.ts";
import type { DynamicRule } from "../../src/rules/types.ts";
import { HOME, type Scenario, connect, connectUnix, exec, open, rename, scan } from "./pipeline.ts";
import { makeRule } from "./rule-factory.ts";

function matches(glob: string, path: string): boolean {
  const trie = new PathTrie(HOME);
  trie.add(glob, 0);
  return trie.matches(path);
}

function run(rules: DynamicRule[], lines: string[], scenario: Scenario = {}): Finding[] {
  return scan(lines, scenario, compileRules(rules, { home: HOME }));
}

describe("path globs", () => {
  test("~ expands to the decoy home, ** spans zero or more segments", () => {
    expect(matches("~/.aws/**", `${HOME}/.aws`)).toBe(true);
    expect(matches("~/.aws/**", `${HOME}/.aws/credentials`)).toBe(true);
    expect(matches("~/.aws/**", `${HOME}/.aws/sso/cache/x.json`)).toBe(true);
    expect(matches("~/.aws/**", HOME)).toBe(false);
    expect(matches("~/.aws/**", `${HOME}/.awsx`)).toBe(false);
    expect(matches("~", HOME)).toBe(true);
    expect(matches("/**/id_rsa", "/a/b/id_rsa")).toBe(true);
    expect(matches("/**/id_rsa", "/id_rsa")).toBe(true);
    expect(matches("/a/**/b/**/c", "/a/x/b/y/z/c")).toBe(true);
    expect(matches("/a/**/b/**/c", "/a/x/y/z/c")).toBe(false);
  });

  test("*, ? and [] stay within one segment", () => {
    expect(matches("/etc/cron*", "/etc/cron.d")).toBe(true);
    expect(matches("/etc/cron*", "/etc/cron.d/job")).toBe(false);
    expect(matches("/etc/cron*/**", "/etc/cron.daily/job")).toBe(true);
    expect(matches("/proc/*/environ", "/proc/4242/environ")).toBe(true);
    expect(matches("/proc/*/environ", "/proc/1/task/2/environ")).toBe(false);
    expect(matches("/dev/tty?", "/dev/tty1")).toBe(true);
    expect(matches("/dev/tty?", "/dev/tty10")).toBe(false);
    expect(matches("/x/[ab]c", "/x/bc")).toBe(true);
    expect(matches("/x/[!ab]c", "/x/bc")).toBe(false);
    expect(matches("/x/a.c", "/x/abc")).toBe(false);
  });

  test("relative paths never match", () => {
    expect(matches("/**", "relative/path")).toBe(false);
  });

  test("a ** followed by literal segments finds them anywhere, only as whole segments", () => {
    expect(matches("/**/.git/hooks/**", "/a/b/.git/hooks/pre-commit")).toBe(true);
    expect(matches("/**/.git/hooks/**", "/.git/hooks")).toBe(true);
    expect(matches("/**/.git/hooks/**", "/a/x.git/hooks/pre-commit")).toBe(false);
    expect(matches("/**/.git/hooks/**", "/a/.github/hooks/x")).toBe(false);
    expect(matches("/**/.git/config", "/a/.git/x/.git/config")).toBe(true);
    expect(matches("/**/.git/config", "/a/.git/configs")).toBe(false);
  });

  test("a segment with one * compares prefix and suffix; others use the class rules", () => {
    expect(matches("/usr/lib/python3*/*-packages/*.pth", "/usr/lib/python3.11/site-packages/x.pth")).toBe(true);
    expect(matches("/usr/lib/python3*/*-packages/*.pth", "/usr/lib/python3/dist-packages/.pth")).toBe(true);
    expect(matches("/usr/lib/python3*/*-packages/*.pth", "/usr/lib/python2.7/site-packages/x.pth")).toBe(false);
    expect(matches("/usr/lib/python3*/*-packages/*.pth", "/usr/lib/python3/packages/x.pth")).toBe(false);
    expect(matches("/x/ab*ba", "/x/aba")).toBe(false);
    expect(matches("/x/ab*ba", "/x/abba")).toBe(true);
  });

  test("$WORK and $PYTHON stand for the run's directories, and for nothing without them", () => {
    const trie = new PathTrie(HOME, { $WORK: ["/tmp/run/work"], $PYTHON: ["/opt/py", `${HOME}/.pyenv/versions/3.12.1`] });
    trie.add("$WORK/**", 1);
    trie.add("$PYTHON/lib/*.pth", 2);
    const hits = (path: string) => {
      const found: number[] = [];
      trie.match(path, (value) => found.push(value));
      return found;
    };
    expect(hits("/tmp/run/work/venv/x")).toEqual([1]);
    expect(hits("/opt/py/lib/a.pth")).toEqual([2]);
    expect(hits(`${HOME}/.pyenv/versions/3.12.1/lib/a.pth`)).toEqual([2]);
    expect(hits("/tmp/run/workx")).toEqual([]);
    expect(matches("$WORK/**", "/work/x")).toBe(false);
  });
});

describe("addresses", () => {
  test("CIDR tables, v4-mapped addresses included", () => {
    const table = new AddressTable();
    for (const [i, text] of ["127.0.0.0/8", "10.1.0.0/16", "fe80::/10", "::1", "0.0.0.0/0"].entries()) {
      const pattern = parseAddressPattern(text);
      if (typeof pattern !== "string") table.add(pattern, i);
    }
    const hits = (family: string, address: string): number[] => {
      const out: number[] = [];
      table.match(family, address, (v) => out.push(v));
      return out.sort();
    };
    expect(hits("inet", "127.0.0.9")).toEqual([0, 4]);
    expect(hits("inet", "10.1.200.3")).toEqual([1, 4]);
    expect(hits("inet", "10.2.0.1")).toEqual([4]);
    expect(hits("inet6", "fe80::abcd")).toEqual([2]);
    expect(hits("inet6", "::1")).toEqual([3]);
    expect(hits("inet6", "::ffff:127.0.0.1")).toEqual([0, 4]);
  });
});

describe("matcher", () => {
  test("conditions: kind, phase, flags, family, port, address, programs, argv", () => {
    const rules = [
      makeRule("writes", { events: ["open", "rename"], paths: ["/etc/**"], flags: ["O_WRONLY"] }),
      makeRule("install-only", { events: ["open"], paths: ["/etc/**"], phases: ["install"] }),
      makeRule("port", { events: ["connect"], families: ["inet"], ports: [4444] }),
      makeRule("cidr", { events: ["connect"], addresses: ["127.0.0.0/8"], ports: [80] }),
      makeRule("unix", { events: ["connect"], addresses: ["/run/*.sock"] }),
      makeRule("prog", { events: ["exec"], programs: ["cu?l"] }),
      makeRule("argv", { events: ["exec"], argv: ["* --upload *"] }),
    ];
    const ids = (lines: string[], scenario?: Scenario): string[] => run(rules, lines, scenario).map((f) => f.ruleId).sort();
    expect(ids([open("/etc/hosts")])).toEqual([]);
    expect(ids([open("/etc/hosts", { flags: "O_WRONLY|O_TRUNC" })])).toEqual(["writes"]);
    expect(ids([rename("/tmp/a", "/etc/hosts")])).toEqual(["writes"]);
    expect(ids([open("/etc/hosts")], { phase: "install", package: "p" })).toEqual(["install-only"]);
    expect(ids([connect("127.0.0.1", 4444)])).toEqual(["port"]);
    expect(ids([connect("127.0.0.1", 80)])).toEqual(["cidr"]);
    expect(ids([connect("::1", 80)])).toEqual([]);
    expect(ids([connectUnix("/run/x.sock")])).toEqual(["unix"]);
    expect(ids([exec("/usr/bin/curl", ["curl", "--upload", "f"])])).toEqual(["argv", "prog"]);
    expect(ids([exec("/usr/bin/wget", ["wget", "x"])])).toEqual([]);
    expect(ids([exec("/usr/bin/curl", ["curl", "--upload", "two words"])])).toEqual(["prog"]);
  });

  test("package_only skips pip's own processes unless a rule opts out", () => {
    const rules = [makeRule("only", { events: ["open"], paths: ["/x"] }), makeRule("all", { events: ["open"], paths: ["/x"], packageOnly: false })];
    expect(run(rules, [open("/x")], { package: undefined }).map((f) => f.ruleId)).toEqual(["all"]);
  });

  test("exceptions drop only the matching candidates", () => {
    const rule = makeRule("r", { events: ["open"], paths: ["~/**"], packageOnly: false }, {
      except: [
        { phases: ["fetch"], unattributed: true },
        { paths: ["~/.cache/**"] },
        { packages: ["trusted-*"] },
        { programs: ["git"] },
      ],
    });
    const hit = (lines: string[], scenario: Scenario = {}): boolean => run([rule], lines, scenario).length > 0;
    expect(hit([open("~/.netrc")], { phase: "fetch", package: undefined })).toBe(false);
    expect(hit([open("~/.netrc")], { phase: "fetch", package: "evil" })).toBe(true);
    expect(hit([open("~/.netrc")], { phase: "install", package: undefined })).toBe(true);
    expect(hit([open("~/.cache/x/y")])).toBe(false);
    expect(hit([open("~/.netrc")], { package: "trusted-lib" })).toBe(false);
    expect(hit([exec("/usr/bin/git", ["git", "status"]), open("~/.gitconfig")])).toBe(false);
  });

  test("block findings come first, then by rule id", () => {
    const rules = [
      makeRule("z-info", { events: ["open"], paths: ["/x"] }, { severity: "info" }),
      makeRule("b-warn", { events: ["open"], paths: ["/x"] }, { severity: "warn" }),
      makeRule("y-block", { events: ["open"], paths: ["/x"] }),
      makeRule("a-block", { events: ["open"], paths: ["/**"] }),
    ];
    expect(run(rules, [open("/x")]).map((f) => f.ruleId)).toEqual(["a-block", "y-block", "b-warn", "z-info"]);
  });

  test("a rule with several matching globs yields one finding", () => {
    const rules = [makeRule("dup", { events: ["open"], paths: ["/a/**", "/a/b", "/**/b"] })];
    expect(run(rules, [open("/a/b")]).length).toBe(1);
  });

  test("rules without an indexable condition still match through the kind lists", () => {
    const rules = [makeRule("any-spawn", { events: ["spawn"] }), makeRule("any-exit", { events: ["exit"] }, { severity: "info" })];
    const findings = run(rules, ["100 clone(child_stack=NULL, flags=SIGCHLD) = 101", "101 +++ exited with 0 +++"]);
    expect(findings.map((f) => [f.ruleId, f.subject.kind])).toEqual([["any-spawn", "process"], ["any-exit", "process"]]);
  });

  test("1,000 generated rules find exactly the generated targets", () => {
    const rules: DynamicRule[] = [];
    for (let i = 0; i < 1000; i++) {
      if (i % 4 === 0) rules.push(makeRule(`p${i}`, { events: ["open", "stat"], paths: [`~/.tool${i}/**`, `/etc/tool${i}.conf`] }));
      else if (i % 4 === 1) rules.push(makeRule(`e${i}`, { events: ["exec"], programs: [`tool${i}`, `tool${i}-*`] }));
      else if (i % 4 === 2) rules.push(makeRule(`a${i}`, { events: ["exec"], argv: [`* --flag${i} *`] }));
      else rules.push(makeRule(`n${i}`, { events: ["connect"], addresses: [`10.${i >> 8}.${i & 255}.0/24`] }));
    }
    const ids = (lines: string[]): string[] => run(rules, lines).map((f) => f.ruleId);
    expect(ids([open("~/.tool8/secret")])).toEqual(["p8"]);
    expect(ids([open("/etc/tool12.conf")])).toEqual(["p12"]);
    expect(ids([open("/etc/tool13.conf")])).toEqual([]);
    expect(ids([exec("/usr/bin/tool9-x", ["tool9-x"])])).toEqual(["e9"]);
    expect(ids([exec("/usr/bin/x", ["x", "--flag10", "y"])])).toEqual(["a10"]);
    expect(ids([connect("10.3.231.7", 1)])).toEqual(["n999"]);
    expect(ids([open("/usr/lib/python3.11/os.py"), exec("/usr/bin/uname", ["uname"])])).toEqual([]);
  });
});

describe("not_paths", () => {
  const homeWrites = makeRule("home-write", {
    events: ["open", "rename"],
    flags: ["O_WRONLY", "O_CREAT"],
    paths: ["~/**"],
    notPaths: ["~/.cache/*/**", "$WORK/**"],
  });
  const write = (path: string) => open(path, { flags: "O_WRONLY|O_CREAT|O_CLOEXEC" });
  const subjects = (lines: string[]) =>
    scan(lines, {}, compileRules([homeWrites], { home: HOME, roots: { $WORK: [`${HOME}/tmp/work`] } })).map((f) => (f.subject.kind === "access" ? f.subject.path : ""));

  test("a path under not_paths does not count", () => {
    expect(subjects([write("~/.cache/pkg/x"), write("~/tmp/work/venv/x")])).toEqual([]);
    expect(subjects([write("~/.cachex/x"), write("~/tmp/other")])).toEqual([`${HOME}/.cachex/x`, `${HOME}/tmp/other`]);
  });

  test("each path of an event counts on its own, and the finding names the one outside", () => {
    expect(subjects([rename("~/.cache/pkg/x", "~/.profile-x")])).toEqual([`${HOME}/.profile-x`]);
    expect(subjects([rename("~/.x", "~/.cache/pkg/x")])).toEqual([`${HOME}/.x`]);
    expect(subjects([open("~/.cache/pkg/link", { flags: "O_WRONLY|O_CREAT", resolved: "~/.y" })])).toEqual([`${HOME}/.y`]);
  });

  test("an executed path under not_paths does not count", () => {
    const rule = makeRule("home-exec", { events: ["exec"], paths: ["~/**"], notPaths: ["~/.local/share/*/**"] });
    const findings = scan([exec(`${HOME}/.local/share/tool/bin/run`, ["run"]), exec(`${HOME}/x/run`, ["run"])], {}, compileRules([rule], { home: HOME }));
    expect(findings.map((f) => (f.subject.kind === "execution" ? f.subject.argv : []))).toEqual([["run"]]);
    expect(findings.length).toBe(1);
  });
});
