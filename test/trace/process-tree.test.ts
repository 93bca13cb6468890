import { describe, expect, test } from "bun:test";
import type { AttributedEvent } from "../../src/trace/events.ts";
import { StraceParser } from "../../src/trace/parser.ts";
import { type ExecInfo, ProcessTree, type ProcessTreeOptions } from "../../src/trace/process-tree.ts";
import { fixtureLines } from "./fixture.ts";

function run(lines: readonly string[], options: ProcessTreeOptions, before?: (tree: ProcessTree) => void): { out: AttributedEvent[]; tree: ProcessTree } {
  const parser = new StraceParser();
  const tree = new ProcessTree(options);
  before?.(tree);
  const out: AttributedEvent[] = [];
  const sink = (ae: AttributedEvent): void => {
    out.push(ae);
  };
  for (const line of lines) {
    const event = parser.parse(line);
    if (event) tree.feed(event, sink);
  }
  tree.flush(sink);
  return { out, tree };
}

const opened = (out: AttributedEvent[], path: string): AttributedEvent | undefined =>
  out.find((ae) => ae.event.kind === "open" && ae.event.path === path);

describe("ProcessTree", () => {
  test("children inherit the nearest assigned ancestor; others get the default phase and no package", () => {
    const { out } = run(
      [
        '1 execve("/usr/bin/python3", ["python3", "-m", "pip"], 0x1 /* 2 vars */) = 0',
        "1 clone(child_stack=NULL, flags=SIGCHLD) = 2",
        '2 execve("/usr/bin/python3", ["python3", "setup.py"], 0x1 /* 2 vars */) = 0',
        "2 clone(child_stack=NULL, flags=SIGCHLD) = 3",
        '3 openat(AT_FDCWD</w>, "/etc/a", O_RDONLY) = 3</etc/a>',
        '1 openat(AT_FDCWD</w>, "/etc/b", O_RDONLY) = 3</etc/b>',
      ],
      {
        phase: "fetch",
        onExec: (info, tree) => {
          if (info.argv[1] === "setup.py") tree.assign(info.pid, { phase: "fetch", package: "evil" });
        },
      },
    );
    expect(opened(out, "/etc/a")?.attribution).toEqual({ phase: "fetch", package: "evil", argv: ["python3", "setup.py"] });
    expect(opened(out, "/etc/b")?.attribution).toEqual({ phase: "fetch", package: undefined, argv: ["python3", "-m", "pip"] });
  });

  test("a child's lines printed before the parent's clone returns are held, then attributed by ancestry", () => {
    const { out } = run(
      [
        '1 execve("/usr/bin/python3", ["python3", "-c", "import evil"], 0x1 /* 2 vars */) = 0',
        "1 vfork( <unfinished ...>",
        '2 execve("/bin/sh", ["sh", "-c", "cat ~/.ssh/id_rsa"], 0x1 /* 2 vars */) = 0',
        '2 openat(AT_FDCWD</w>, "/home/u/.ssh/id_rsa", O_RDONLY) = 3</home/u/.ssh/id_rsa>',
        "1 <... vfork resumed>) = 2",
      ],
      { phase: "import" },
      (tree) => tree.assign(1, { phase: "import", package: "evil" }),
    );
    const steal = opened(out, "/home/u/.ssh/id_rsa");
    expect(steal?.attribution.package).toBe("evil");
    expect(steal?.attribution.argv).toEqual(["sh", "-c", "cat ~/.ssh/id_rsa"]);
    // Order is preserved: the spawn comes out first, then the held events of the child.
    expect(out.map((ae) => ae.event.kind)).toEqual(["exec", "spawn", "exec", "open"]);
  });

  test("onExec sees argv and the cwd of pip's build subprocess", () => {
    const seen: ExecInfo[] = [];
    run(
      [
        '1 execve("/usr/bin/python3", ["python3", "-m", "pip", "download"], 0x1 /* 2 vars */) = 0',
        "1 clone(child_stack=NULL, flags=SIGCHLD) = 2",
        '2 chdir("/tmp/pip-download-abc/evil_123") = 0',
        '2 execve("/venv/bin/python", ["/venv/bin/python", "/venv/lib/python3.11/site-packages/pip/_vendor/pyproject_hooks/_in_process/_in_process.py", "prepare_metadata_for_build_wheel", "/tmp/tmpx"], 0x1 /* 2 vars */) = 0',
      ],
      { phase: "fetch", onExec: (info) => seen.push(info) },
    );
    expect(seen.at(-1)).toMatchObject({ pid: 2, parentPid: 1, cwd: "/tmp/pip-download-abc/evil_123" });
    expect(seen.at(-1)?.argv[1]).toEndWith("_in_process.py");
  });

  test("attribution comes from the tree, never from what a process prints", () => {
    const fixture = fixtureLines("subprocess");
    const { out } = run(fixture, { phase: "import" }, (tree) => {
      const first = Number(fixture[0]?.split(" ")[0]);
      tree.assign(first, { phase: "import", package: "demo" });
    });
    const uname = out.find((ae) => ae.event.kind === "exec" && ae.event.ret === 0 && ae.event.argv[0] === "uname");
    expect(uname?.attribution).toMatchObject({ phase: "import", package: "demo", argv: ["uname", "-s"] });
    expect(out.every((ae) => ae.attribution.package === "demo")).toBe(true);
  });

  test("inside a PID namespace children are linked by host pid", () => {
    const fixture = fixtureLines("pidns");
    const { out } = run(fixture, { phase: "import" }, (tree) => tree.assign(Number(fixture[0]?.split(" ")[0]), { phase: "import", package: "demo" }));
    const probe = out.find((ae) => ae.event.kind === "open" && ae.event.path === "/proc/1/cmdline");
    expect(probe?.attribution).toMatchObject({ package: "demo", argv: ["cat", "/proc/1/cmdline"] });
  });

  test("exits mark processes dead, and a reused pid is held until its new parent links it", () => {
    const { out, tree } = run(
      [
        '1 execve("/usr/bin/python3", ["python3"], 0x1 /* 2 vars */) = 0',
        "1 clone(child_stack=NULL, flags=SIGCHLD) = 2",
        "2 +++ exited with 0 +++",
        "1 clone(child_stack=NULL, flags=SIGCHLD) = 3",
        "3 clone(child_stack=NULL, flags=SIGCHLD) = 2",
        '2 openat(AT_FDCWD</w>, "/etc/c", O_RDONLY) = 3</etc/c>',
      ],
      { phase: "import" },
      (tree) => tree.assign(1, { phase: "import", package: "a" }),
    );
    expect(tree.isAlive(2)).toBe(true);
    expect(tree.parentOf(2)).toBe(3);
    expect(opened(out, "/etc/c")?.attribution.package).toBe("a");
    expect(tree.liveDescendants(1).sort()).toEqual([1, 2, 3]);
  });

  test("events of a pid nobody spawned are released at flush with the default attribution", () => {
    const { out } = run(
      ['1 execve("/bin/true", ["true"], 0x1 /* 2 vars */) = 0', '9 openat(AT_FDCWD</w>, "/etc/d", O_RDONLY) = 3</etc/d>'],
      { phase: "install" },
    );
    expect(opened(out, "/etc/d")?.attribution).toEqual({ phase: "install", package: undefined, argv: [] });
  });

  test("the held buffer is bounded", () => {
    const lines = ['1 execve("/bin/true", ["true"], 0x1 /* 2 vars */) = 0'];
    for (let i = 0; i < 50; i++) lines.push(`9 openat(AT_FDCWD</w>, "/etc/e${i}", O_RDONLY) = 3</etc/e${i}>`);
    const parser = new StraceParser();
    const tree = new ProcessTree({ phase: "import", maxHeld: 10 });
    let released = 0;
    for (const line of lines) {
      const event = parser.parse(line);
      if (event) tree.feed(event, () => released++);
    }
    expect(released).toBeGreaterThan(40);
  });
});
