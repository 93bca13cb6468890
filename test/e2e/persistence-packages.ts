/*
 * Test packages that write where code runs again later, and look-alikes that write only their own
 * folders. The payloads write a comment line into the sandbox's decoy home and nothing else; they
 * are only ever run by pipcanary's sandbox.
 */
import type { FixtureProject } from "../harness/types.ts";
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
