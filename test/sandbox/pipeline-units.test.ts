import { describe, expect, test } from "bun:test";
import { parseDistributionFilename } from "../../src/fetch/collect.ts";
import { requirementFiles } from "../../src/fetch/requirements-file.ts";
import { dependencyOrder, modulesFromFiles, parseEntryPoints, recordPath, type VenvDistribution } from "../../src/pipeline/installed.ts";
import { reportJson } from "../../src/report/json.ts";
import { buildReportModel } from "../../src/report/model.ts";
import { sshFinding } from "../report/finding-fixture.ts";
import { formatScanReport, SAFE_MESSAGE } from "../../src/report/text.ts";
import { bwrapArgs } from "../../src/sandbox/bwrap.ts";
import { tcpSocketInode } from "../../src/sandbox/socket-owner.ts";
import { requirement } from "../e2e/helpers.ts";

describe("modules and entry points from the dist-info", () => {
  test("every module file, parents first: packages, submodules, extensions, namespace packages; no tests, metadata or scripts", () => {
    const files = [
      "pkg/__init__.py",
      "pkg/sub/mod.py",
      "single.py",
      "fast.cpython-311-x86_64-linux-gnu.so",
      "google/cloud/storage/__init__.py",
      "google/cloud/storage/blob.py",
      "nsonly/plain.py",
      "pkg-1.0.dist-info/METADATA",
      "pkg-1.0.data/scripts/tool",
      "../../bin/tool",
      "pkg/__pycache__/__init__.cpython-311.pyc",
      "not-a-module/x.py",
      "evil.pth",
      "pkg/tests/test_mod.py",
      "pkg/testing/helpers.py",
      "tests/__init__.py",
    ];
    expect(modulesFromFiles(files)).toEqual(["fast", "pkg", "single", "nsonly.plain", "google.cloud.storage", "pkg.sub.mod", "google.cloud.storage.blob"]);
  });

  test("entry points of every group; malformed lines skipped", () => {
    const text = "[console_scripts]\ntool = pkg.cli:main\nother=pkg.cli:Main.run [extra]\n\n[pkg.plugins]\n# a comment\nplug = pkg.plugin\nbroken line\n= pkg:x\n";
    expect(parseEntryPoints(text)).toEqual([
      { group: "console_scripts", name: "tool", module: "pkg.cli", attr: "main" },
      { group: "console_scripts", name: "other", module: "pkg.cli", attr: "Main.run" },
      { group: "pkg.plugins", name: "plug", module: "pkg.plugin", attr: "" },
    ]);
  });

  test("RECORD rows with quoted paths", () => {
    expect(recordPath('"odd,name/__init__.py",sha256=abc,12')).toBe("odd,name/__init__.py");
    expect(recordPath('"say ""hi"".py",,')).toBe('say "hi".py');
    expect(recordPath("pkg/__init__.py,sha256=abc,12")).toBe("pkg/__init__.py");
    expect(recordPath("")).toBeUndefined();
  });
});

describe("import order", () => {
  const dist = (name: string, requires: string[] = []): VenvDistribution => ({
    name,
    displayName: name,
    version: "1",
    pthFiles: [],
    executablePth: false,
    requires,
    modules: [name],
    entryPoints: [],
    scripts: [],
  });

  test("dependencies come before their dependants, cycles do not hang", () => {
    const order = dependencyOrder([dist("aaa-app", ["zzz-lib", "missing"]), dist("zzz-lib", ["mid"]), dist("mid"), dist("x", ["y"]), dist("y", ["x"])]);
    expect(order.map((distribution) => distribution.name)).toEqual(["mid", "zzz-lib", "aaa-app", "y", "x"]);
  });
});

describe("artifact file names", () => {
  test("wheels and sdists, old-style names with dashes", () => {
    expect(parseDistributionFilename("Foo_Bar-1.0.post1-py3-none-any.whl")).toEqual({ name: "foo-bar", version: "1.0.post1", kind: "wheel" });
    expect(parseDistributionFilename("pkg-2.0-1-cp311-cp311-manylinux_2_17_x86_64.whl")).toEqual({ name: "pkg", version: "2.0", kind: "wheel" });
    expect(parseDistributionFilename("foo-2fa-1.0.tar.gz")).toEqual({ name: "foo-2fa", version: "1.0", kind: "sdist" });
    expect(parseDistributionFilename("demo_pkg-1.0.zip")).toEqual({ name: "demo-pkg", version: "1.0", kind: "sdist" });
    expect(parseDistributionFilename("notes.txt")).toBeUndefined();
  });
});

describe("requirements files for pip", () => {
  test("keep extras, specifiers, markers and hashes; constraints go to their own file; URLs dropped offline", () => {
    const set = {
      requirements: [
        { ...requirement("Flask", ">=3"), extras: ["async"], markerText: 'python_version >= "3.8"', hashes: ["sha256:aa", "sha256:bb"] },
        { ...requirement("direct"), url: "https://example.invalid/direct-1.0.tar.gz" },
        { ...requirement("urllib3", "<3"), constraint: true },
      ],
      index: { indexUrl: undefined, extraIndexUrls: [], findLinks: [], pre: false, onlyBinary: [] },
    };
    expect(requirementFiles(set)).toEqual({
      requirements: 'Flask[async]>=3 ; python_version >= "3.8" --hash=sha256:aa --hash=sha256:bb\ndirect @ https://example.invalid/direct-1.0.tar.gz\n',
      constraints: "urllib3<3\n",
    });
    expect(requirementFiles(set, { dropUrls: true }).requirements).toContain("\ndirect\n");
  });
});

describe("the sandbox command line", () => {
  test("unshares everything, drops capabilities, clears the environment, mounts parents first", () => {
    const args = bwrapArgs({
      mounts: [
        { kind: "ro-bind", source: "/opt/py", dest: "/home/u/.pyenv/versions/3.11" },
        { kind: "bind", source: "/tmp/run/home", dest: "/home/u" },
      ],
      env: { HOME: "/home/u" },
      cwd: "/tmp/run/work",
      command: ["python3", "-c", "pass"],
    });
    expect(args.slice(0, 6)).toEqual(["--unshare-all", "--cap-drop", "ALL", "--die-with-parent", "--new-session", "--hostname"]);
    expect(args.indexOf("/home/u")).toBeLessThan(args.indexOf("/home/u/.pyenv/versions/3.11"));
    expect(args.slice(args.indexOf("--clearenv"))).toEqual(["--clearenv", "--setenv", "HOME", "/home/u", "--chdir", "/tmp/run/work", "--", "python3", "-c", "pass"]);
  });
});

describe("socket owner lookup", () => {
  test("finds the inode of the connection from the client port to the forwarder", () => {
    const table = [
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
      "   0: 0100007F:0C38 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1111 1 0 100 0 0 10 0",
      "   1: 0100007F:8DF2 0100007F:0C38 01 00000000:00000000 00:00000000 00000000     0        0 2222 1 0 20 4 30 10 -1",
    ].join("\n");
    expect(tcpSocketInode(table, 0x8df2, 3128)).toBe("2222");
    expect(tcpSocketInode(table, 1, 3128)).toBeUndefined();
  });
});

describe("the report", () => {
  const finding = sshFinding({ subject: { kind: "access", path: "/home/sebastian/.ssh" } });

  test("uses the seed's wording for a blocking finding", () => {
    expect(formatScanReport([finding])).toStartWith(
      [
        "Found suspicious access to /home/sebastian/.ssh in package evilpack.",
        "",
        "Description: SSH private key exfiltration.",
        "Explanation: The package might be trying to steal your Secure Shell private keys.",
        "",
        "This could be dangerous!!!",
        "Don't install this package under any circumstances until you know for sure that this is a false positive!",
        "In doubt, contact the package maintainers!",
        "",
        "Note that PipCanary immediately kills the scanning process once it detects suspicious behavior to prevent damage!",
        "",
        "Phase: import",
        "System call: openat",
        "Process: python -c import evilpack",
      ].join("\n"),
    );
  });

  test("the same shape for connections and executions; the all-clear without findings", () => {
    const connection = { ...finding, subject: { kind: "connection" as const, address: "127.0.0.9", port: 4444 } };
    const execution = { ...finding, subject: { kind: "execution" as const, argv: ["curl", "-s", "http://127.0.0.9:4444/x"] } };
    expect(formatScanReport([connection])).toStartWith("Found suspicious connection to 127.0.0.9:4444 in package evilpack.\n");
    expect(formatScanReport([execution])).toStartWith("Found suspicious execution of curl -s http://127.0.0.9:4444/x in package evilpack.\n");
    expect(formatScanReport([])).toBe(SAFE_MESSAGE);
    expect(reportJson(buildReportModel({ command: "scan", version: "0.0.0", exitCode: 5, cwd: "/", findings: [connection] }))).toMatchObject({ verdict: "malicious", findings: [{ ruleId: "ssh", message: "Found suspicious connection to 127.0.0.9:4444 in package evilpack." }] });
  });
});
