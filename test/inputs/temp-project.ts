import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

export interface TempProject {
  dir: string;
  path(name: string): string;
  write(name: string, content: string): string;
  remove(): void;
}

const created: TempProject[] = [];

/** Removes every temp project created so far (call it in afterEach/afterAll). */
export function removeTempProjects(): void {
  for (const project of created.splice(0)) project.remove();
}

/** A temp directory holding the given files (paths may contain folders); remove() deletes it. */
export function tempProject(files: Record<string, string> = {}): TempProject {
  const dir = mkdtempSync(join(tmpdir(), "pipcanary-test-"));
  const project: TempProject = {
    dir,
    path: (name) => join(dir, name),
    write(name, content) {
      const file = join(dir, name);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, content);
      return file;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
  created.push(project);
  for (const [name, content] of Object.entries(files)) project.write(name, content);
  return project;
}
