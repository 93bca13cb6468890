import { afterEach, describe, expect, test } from "bun:test";
import { InputError } from "../../src/core/errors.ts";
import { loadRequirementSet } from "../../src/inputs/load.ts";
import { logicalLines } from "../../src/inputs/requirements-file.ts";
import type { RequirementSet } from "../../src/core/requirements.ts";
import { type TempProject, removeTempProjects, tempProject } from "./temp-project.ts";

const SHA_A = "a".repeat(64);
const SHA_B = "b".repeat(64);

let project: TempProject | undefined;

afterEach(() => {
  removeTempProjects();
  project = undefined;
});

function load(files: Record<string, string>, ...requirementFiles: string[]): Promise<RequirementSet> {
  project = tempProject(files);
  return loadRequirementSet({ cwd: project.dir, requirementFiles: requirementFiles.length > 0 ? requirementFiles : ["requirements.txt"], projectFile: undefined, extras: [], groups: [] });
}

async function failure(files: Record<string, string>, ...requirementFiles: string[]): Promise<InputError> {
  const error = await load(files, ...requirementFiles).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(InputError);
  expect((error as InputError).exitCode).toBe(1);
  return error as InputError;
}

function summary(set: RequirementSet): string[] {
  return set.requirements.map((r) => `${r.name}${r.extras.length ? `[${r.extras}]` : ""}${r.url ? ` @ ${r.url}` : r.specifier}${r.markerText ? `; ${r.markerText}` : ""} ${r.origin.file}:${r.origin.line}${r.constraint ? " constraint" : ""}`);
}

describe("lines as pip reads them", () => {
  test("comments, blank lines, inline comments and continuations", async () => {
    const set = await load({
      "requirements.txt": [
        "# full-line comment",
        "",
        "requests>=2.31  # inline comment",
        "   # indented comment",
        "flask \\",
        "  >=3.0 \\",
        "  ,<4",
        "pkg @ https://example.org/pkg-1.0.tar.gz#egg=pkg  # the #egg fragment is not a comment",
        "django==4.2 \\",
        "# a comment line ends the continuation",
        "attrs",
      ].join("\n"),
    });
    expect(summary(set)).toEqual([
      "requests>=2.31 requirements.txt:3",
      "flask>=3.0,<4 requirements.txt:5",
      "pkg @ https://example.org/pkg-1.0.tar.gz#egg=pkg requirements.txt:8",
      "django==4.2 requirements.txt:9",
      "attrs requirements.txt:11",
    ]);
  });

  test("CRLF line endings, a byte-order mark and a continuation on the last line", async () => {
    const set = await load({ "requirements.txt": "\uFEFFrequests\r\nflask\\\r\n==3.0\\" });
    expect(summary(set)).toEqual(["requests requirements.txt:1", "flask==3.0 requirements.txt:2"]);
  });

  test("${VAR} is expanded from the environment, other forms are left alone", () => {
    const lines = logicalLines("pkg @ https://${HOST}/p.whl\nfoo==${MISSING_VAR}\n$HOST", { HOST: "example.org" });
    expect(lines).toEqual([
      { line: 1, text: "pkg @ https://example.org/p.whl" },
      { line: 2, text: "foo==${MISSING_VAR}" },
      { line: 3, text: "$HOST" },
    ]);
  });

  test("environment markers, extras and direct URL references", async () => {
    const set = await load({
      "requirements.txt": [
        'requests[socks,security]>=2 ; python_version >= "3.8" and sys_platform != "win32"',
        "pkg[cli] @ https://example.org/pkg-1.0-py3-none-any.whl ; os_name == 'posix'",
        "https://example.org/wheels/My_Tool-2.0-py3-none-any.whl",
        'https://example.org/src/thing.tar.gz#egg=thing ; python_version < "4"',
      ].join("\n"),
    });
    expect(summary(set)).toEqual([
      'requests[socks,security]>=2; python_version >= "3.8" and sys_platform != "win32" requirements.txt:1',
      'pkg[cli] @ https://example.org/pkg-1.0-py3-none-any.whl; os_name == "posix" requirements.txt:2',
      "My_Tool @ https://example.org/wheels/My_Tool-2.0-py3-none-any.whl requirements.txt:3",
      'thing @ https://example.org/src/thing.tar.gz#egg=thing; python_version < "4" requirements.txt:4',
    ]);
  });

  test("names with non-ASCII letters are read as written, for the static name check to judge", async () => {
    const set = await load({ "requirements.txt": "r\u0435quests==2.31.0\n" });
    expect(set.requirements[0]?.name).toBe("r\u0435quests");
    expect(set.requirements[0]?.specifier).toBe("==2.31.0");
  });

  test("an unparseable line names file:line and the column", async () => {
    const error = await failure({ "requirements.txt": "requests\nflask >= \n" });
    expect(error.message).toBe("requirements.txt:2: invalid requirement 'flask >=': expected a version after '>=' (column 7)");
  });
});

describe("hashes", () => {
  test("several --hash options per requirement, on continuation lines, in both spellings", async () => {
    const set = await load({
      "requirements.txt": [`foo==1.0 \\`, `    --hash=sha256:${SHA_A} \\`, `    --hash sha256:${SHA_B.toUpperCase()}`, `bar==2.0 --hash=sha512:${"c".repeat(128)}`].join("\n"),
    });
    expect(set.requirements.map((r) => [r.name, r.hashes, r.origin.line])).toEqual([
      ["foo", [`sha256:${SHA_A}`, `sha256:${SHA_B}`], 1],
      ["bar", [`sha512:${"c".repeat(128)}`], 4],
    ]);
  });

  test("bad hashes are refused", async () => {
    expect((await failure({ "requirements.txt": `foo==1 --hash=md5:${"a".repeat(32)}` })).message).toContain("expected sha256:<hex>");
    expect((await failure({ "requirements.txt": "foo==1 --hash=sha256:abc" })).message).toContain("a sha256 digest has 64 hex digits, not 3");
    expect((await failure({ "requirements.txt": `--hash=sha256:${SHA_A}` })).message).toContain("--hash must follow a requirement");
  });

  test("once one requirement has a hash, all need hashes and == pins (pip's hash-checking mode)", async () => {
    const missing = await failure({ "requirements.txt": `foo==1.0 --hash=sha256:${SHA_A}\nbar==2.0\n` });
    expect(missing.message).toBe("requirements.txt:2: 'bar' has no --hash, but hashes are required for every requirement because requirements.txt:1 has a --hash");
    const unpinned = await failure({ "requirements.txt": `foo>=1.0 --hash=sha256:${SHA_A}\n` });
    expect(unpinned.message).toContain("requirements.txt:1: 'foo>=1.0' is not pinned with ==");
    const required = await failure({ "requirements.txt": "--require-hashes\nfoo==1.0\n" });
    expect(required.message).toContain("because --require-hashes is set");
  });

  test("constraints need no hashes in hash-checking mode", async () => {
    const set = await load({ "requirements.txt": `-c constraints.txt\nfoo==1.0 --hash=sha256:${SHA_A}\n`, "constraints.txt": "bar<2\n" });
    expect(summary(set)).toEqual(["bar<2 constraints.txt:1 constraint", "foo==1.0 requirements.txt:2"]);
  });
});

describe("includes", () => {
  test("-r and -c are relative to the including file, in every spelling", async () => {
    const set = await load({
      "requirements.txt": "-r sub/base.txt\n--requirement=sub/more.txt\n-csub/constraints.txt\ntop\n",
      "sub/base.txt": "base\n-r ../shared/common.txt\n",
      "sub/more.txt": "more\n",
      "sub/constraints.txt": "urllib3<2\n--constraint ../shared/pins.txt\n",
      "shared/common.txt": "common\n",
      "shared/pins.txt": "idna==3.4\n",
    });
    expect(summary(set)).toEqual([
      "base sub/base.txt:1",
      "common shared/common.txt:1",
      "more sub/more.txt:1",
      "urllib3<2 sub/constraints.txt:1 constraint",
      "idna==3.4 shared/pins.txt:1 constraint",
      "top requirements.txt:4",
    ]);
  });

  test("-r inside a constraints file selects requirements, as in pip", async () => {
    const set = await load({ "requirements.txt": "-c c.txt\n", "c.txt": "-r r2.txt\npinned==1\n", "r2.txt": "selected\n" });
    expect(summary(set)).toEqual(["selected r2.txt:1", "pinned==1 c.txt:2 constraint"]);
  });

  test("a file included twice is read once", async () => {
    const set = await load({ "requirements.txt": "-r a.txt\n-r b.txt\n", "a.txt": "-r common.txt\n", "b.txt": "-r common.txt\n", "common.txt": "shared\n" });
    expect(summary(set)).toEqual(["shared common.txt:1"]);
  });

  test("include cycles are reported with the chain and the line that closes them", async () => {
    const error = await failure({ "requirements.txt": "-r a.txt\n", "a.txt": "x\n-r b.txt\n", "b.txt": "\n\n-r a.txt\n" });
    expect(error.message).toBe("b.txt:3: include cycle: a.txt -> b.txt -> a.txt");
    const self = await failure({ "requirements.txt": "-r requirements.txt\n" });
    expect(self.message).toBe("requirements.txt:1: include cycle: requirements.txt -> requirements.txt");
  });

  test("a missing include names the including line", async () => {
    const error = await failure({ "requirements.txt": "foo\n-r nowhere.txt\n" });
    expect(error.message).toBe("requirements.txt:2: cannot read nowhere.txt: no such file");
  });

  test("remote includes are refused", async () => {
    expect((await failure({ "requirements.txt": "-r https://example.org/r.txt\n" })).message).toContain("remote include");
  });

  test("constraints may not have extras or be links", async () => {
    expect((await failure({ "requirements.txt": "-c c.txt\n", "c.txt": "foo[bar]<2\n" })).message).toBe("c.txt:1: constraint 'foo[bar]<2' has extras, which pip does not allow in constraints");
    expect((await failure({ "requirements.txt": "-c c.txt\n", "c.txt": "foo @ https://example.org/foo.whl\n" })).message).toContain("is a link");
  });
});

describe("index options", () => {
  test("are honoured into IndexOptions", async () => {
    const set = await load({
      "requirements.txt": [
        "--index-url https://index.example.org/simple",
        "--extra-index-url=https://extra.example.org/simple",
        "--pre",
        "-f wheels",
        "--find-links https://example.org/links/",
        "--only-binary=:all:",
        "--only-binary :none:",
        "--only-binary Foo_Bar,baz",
        "--prefer-binary",
        "requests",
      ].join("\n"),
      "wheels/.keep": "",
    });
    expect(set.index.indexUrl).toBe("https://index.example.org/simple");
    expect(set.index.extraIndexUrls).toEqual(["https://extra.example.org/simple"]);
    expect(set.index.pre).toBe(true);
    expect(set.index.findLinks).toEqual([project?.path("wheels") ?? "", "https://example.org/links/"]);
    expect(set.index.onlyBinary).toEqual(["foo-bar", "baz"]);
    expect(set.index.preferBinary).toBe(true);
    expect(set.index.noIndex).toBeUndefined();
  });

  test("short spellings, --no-index and several options on one line", async () => {
    const set = await load({ "requirements.txt": "-i https://a.example/simple --no-index --only-binary :all:\n" });
    expect(set.index.indexUrl).toBe("https://a.example/simple");
    expect(set.index.noIndex).toBe(true);
    expect(set.index.onlyBinary).toEqual([":all:"]);
  });

  test("bad index URLs are refused", async () => {
    expect((await failure({ "requirements.txt": "--index-url not-a-url\n" })).message).toBe("requirements.txt:1: --index-url 'not-a-url' is not a URL");
    expect((await failure({ "requirements.txt": "-i ftp://x.org/simple\n" })).message).toContain("must be an http(s) or file URL");
  });
});

describe("refused and unknown lines", () => {
  test("-e and --editable are refused naming file and line and saying why", async () => {
    const error = await failure({ "requirements.txt": "requests\n-e ./src/mypkg\n" });
    expect(error.message).toStartWith("requirements.txt:2: editable requirement './src/mypkg' is not supported: it installs a local source tree");
    expect((await failure({ "requirements.txt": "--editable=git+https://x/y#egg=y\n" })).message).toStartWith("requirements.txt:1: editable requirement");
  });

  test("local paths are refused in every form", async () => {
    for (const line of ["./pkg", "../pkg", "/abs/pkg", "~/pkg", "sub/pkg", "dist/pkg-1.0-py3-none-any.whl", "pkg-1.0.tar.gz", "./pkg[extra] ; python_version > '3'"]) {
      const error = await failure({ "requirements.txt": `requests\n${line}\n` });
      expect(error.message).toStartWith("requirements.txt:2: local path requirement");
      project?.remove();
    }
    expect((await failure({ "requirements.txt": "file:///tmp/pkg-1.0-py3-none-any.whl\n" })).message).toStartWith("requirements.txt:1: local file reference");
    expect((await failure({ "requirements.txt": "pkg @ file:///tmp/pkg.whl\n" })).message).toStartWith("requirements.txt:1: local file reference");
  });

  test("VCS requirements and nameless sdist URLs are refused", async () => {
    expect((await failure({ "requirements.txt": "git+https://github.com/x/y.git\n" })).message).toContain("VCS reference");
    const nameless = await failure({ "requirements.txt": "https://example.org/thing-1.0.tar.gz\n" });
    expect(nameless.message).toBe("requirements.txt:1: cannot tell the project name of 'https://example.org/thing-1.0.tar.gz'");
    expect(nameless.hint).toBe("write it as: <name> @ https://example.org/thing-1.0.tar.gz");
  });

  test("unknown options name file:line", async () => {
    expect((await failure({ "requirements.txt": "requests\n\n--frobnicate\n" })).message).toBe("requirements.txt:3: unknown option '--frobnicate'");
    expect((await failure({ "requirements.txt": "-x foo\n" })).message).toBe("requirements.txt:1: unknown option '-x'");
    expect((await failure({ "requirements.txt": "--trusted-host example.org\n" })).message).toContain("pip option '--trusted-host' is not supported");
  });

  test("malformed option lines", async () => {
    expect((await failure({ "requirements.txt": "--pre requests\n" })).message).toContain("unexpected 'requests' after an option");
    expect((await failure({ "requirements.txt": "requests --pre\n" })).message).toBe("requirements.txt:1: option '--pre' cannot follow a requirement; put it on a line of its own");
    expect((await failure({ "requirements.txt": "--index-url\n" })).message).toBe("requirements.txt:1: option '--index-url' needs a value");
    expect((await failure({ "requirements.txt": "--pre=yes\n" })).message).toBe("requirements.txt:1: option '--pre' takes no value");
    expect((await failure({ "requirements.txt": "-r 'unclosed.txt\n" })).message).toContain("unclosed quote");
  });
});

describe("unreadable inputs", () => {
  test("a missing, a directory and a non-UTF-8 file", async () => {
    expect((await failure({}, "missing.txt")).message).toBe("cannot read missing.txt: no such file");
    expect((await failure({ "dir/x": "" }, "dir")).message).toBe("cannot read dir: it is a directory, not a file");
    project = tempProject();
    const file = project.write("latin1.txt", "");
    await Bun.write(file, new Uint8Array([0x66, 0x6f, 0xf6, 0x0a]));
    const error = await loadRequirementSet({ cwd: project.dir, requirementFiles: [file], projectFile: undefined, extras: [], groups: [] }).catch((caught: unknown) => caught);
    expect((error as InputError).message).toBe("cannot read latin1.txt: it is not UTF-8 text");
  });
});
