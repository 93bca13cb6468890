/*
 * Test packages that write where code runs again later, look-alikes that write only their own
 * folders, and sdists whose members reach outside their folder when pip unpacks them. The payloads
 * write a comment line into the sandbox's decoy home or /tmp and nothing else; they are only ever
 * run (and unpacked) by pipcanary's sandbox.
 */
import { homedir } from "node:os";
import { builtFile, coreMetadata, escapeDistName } from "../harness/distribution-format.ts";
import type { FixtureProject } from "../harness/types.ts";
import { type RawTarEntry, rawTarGz } from "../static/raw-archives.ts";
import { project } from "./helpers.ts";
import { importPayload } from "./packages.ts";

/**
 * Module code that writes one comment line into `relative` (below the home), creating its folder
 * first unless it is one the decoy home already has (`mkdir` of an existing folder still is a call).
 */
function writeInHome(relative: string, mode: "w" | "a" = "w", makeDirs = true): string {
  return [
    "import os",
    `path = os.path.join(os.path.expanduser('~'), ${JSON.stringify(relative)})`,
    makeDirs ? "os.makedirs(os.path.dirname(path), exist_ok=True)" : "",
    `with open(path, '${mode}') as handle:`,
    "    handle.write('# written by a test package\\n')",
    "",
  ].join("\n");
}

export interface PersistenceCase {
  title: string;
  project: FixtureProject;
  package: string;
  ruleId: string;
  /** The path the finding names, "~/" being the home. */
  subject: string;
}

function blockedCase(title: string, name: string, body: string, ruleId: string, subject: string): PersistenceCase {
  return { title, project: importPayload(name, name.replaceAll("-", "_"), body), package: name, ruleId, subject };
}

export const BLOCKED_PERSISTENCE: PersistenceCase[] = [
  blockedCase("vim start-up file", "persist-vimrc", writeInHome(".vimrc", "w", false), "persistence", "~/.vimrc"),
  // makedirs creates the folder first, and that already is the write that blocks.
  blockedCase("neovim configuration", "persist-nvim", writeInHome(".config/nvim/init.lua"), "persistence", "~/.config/nvim"),
  blockedCase("SSH authorized keys", "persist-sshkeys", writeInHome(".ssh/authorized_keys", "a", false), "persistence", "~/.ssh/authorized_keys"),
  blockedCase("git hook in a project", "persist-githook", writeInHome("project/.git/hooks/pre-commit"), "persistence-hooks", "~/project/.git/hooks"),
  blockedCase("pip shadowed on PATH", "persist-localbin", writeInHome(".local/bin/pip", "w", false), "persistence", "~/.local/bin/pip"),
  blockedCase("desktop autostart entry", "persist-autostart", writeInHome(".config/autostart/x.desktop"), "persistence", "~/.config/autostart"),
];

export const WARNED_PERSISTENCE: PersistenceCase = {
  title: "a dotfile nothing runs",
  project: importPayload("persist-dotfile", "persist_dotfile", writeInHome(".somethingelse")),
  package: "persist-dotfile",
  ruleId: "home-write",
  subject: "~/.somethingelse",
};

/** Writes only below its own ~/.cache, ~/.config and ~/.local/share folders, and reads ~/.gitconfig. */
export const OWN_FOLDERS: FixtureProject = importPayload(
  "persist-ownfolders",
  "persist_ownfolders",
  [
    writeInHome(".cache/persist-ownfolders/x"),
    writeInHome(".config/persist-ownfolders/settings.json"),
    writeInHome(".local/share/persist-ownfolders/db"),
    "try:\n    with open(os.path.expanduser('~/.gitconfig')) as handle:\n        handle.read()\nexcept OSError:\n    pass\n",
  ].join("\n"),
);

/** An sdist with the given extra tar members after a normal PKG-INFO and setup.py. */
function rawSdist(name: string, members: RawTarEntry[]): FixtureProject {
  const stem = `${escapeDistName(name)}-1.0`;
  const setupPy = `from setuptools import setup\nsetup(name=${JSON.stringify(name)}, version="1.0")\n`;
  const entries: RawTarEntry[] = [
    { name: `${stem}/PKG-INFO`, data: coreMetadata({ name, version: "1.0" }) },
    { name: `${stem}/setup.py`, data: setupPy },
    ...members.map((member) => ({ ...member, name: `${stem}/${member.name}` })),
  ];
  return project(name, "1.0", builtFile(`${stem}.tar.gz`, rawTarGz(entries)));
}

export interface UnpackCase {
  title: string;
  project: FixtureProject;
  package: string;
  ruleId: string;
}

/** sdists that attack pip's unpacking in the fetch phase: blamed on the sdist, under the archive rule. */
export const UNSAFE_SDISTS: UnpackCase[] = [
  {
    title: "tar-slip member",
    project: rawSdist("unpack-slip", [{ name: "../../../../tmp/unpack-slip.txt", data: "# written by a test package\n" }]),
    package: "unpack-slip",
    ruleId: "static.archive.unsafe-path",
  },
  {
    title: "symlink member out of the tree, written through",
    project: rawSdist("unpack-link", [
      { name: "keys", type: "2", linkname: `${homedir()}/.ssh` },
      { name: "keys/authorized_keys", data: "# written by a test package\n" },
    ]),
    package: "unpack-link",
    ruleId: "static.archive.link-outside",
  },
];
