import { describe, expect, test } from "bun:test";
import { bwrapArgs } from "../../src/sandbox/bwrap.ts";

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
