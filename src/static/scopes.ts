import { parse as parseToml } from "smol-toml";
import type { SourceScope } from "../rules/static-schema.ts";
import { normalizeRelativePath } from "./archive/paths.ts";
import type { FileFacts } from "./python/facts.ts";

/**
 * Which sdist files run while pip builds and installs it ("install" scope) and which only run
 * when the package is used ("runtime", tests included). Install hooks: setup.py, commands named
 * in setup.cfg / pyproject.toml, an in-tree build backend (backend-path), hatch and pdm build
 * hooks, plus every local module those files import or execute, transitively.
 */
export interface SdistLayout {
  /** Folder all entries live in (`pkg-1.0/`), or "" when entries sit at the archive root. */
  root: string;
  /** Python files by path inside the archive (normalised), with their facts. */
  sources: Map<string, FileFacts>;
  /** Text of small configuration files by path inside the archive. */
  configs: Map<string, string>;
}

export function sdistRoot(paths: readonly string[]): string {
  const first = paths[0]?.split("/")[0];
  if (first === undefined || first === "") return "";
  return paths.every((path) => path === first || path.startsWith(`${first}/`)) && paths.some((p) => p.includes("/")) ? `${first}/` : "";
}

export function assignScopes(layout: SdistLayout): Map<string, SourceScope> {
  const { root, sources } = layout;
  const searchDirs = [root, `${root}src/`];
  const seeds: string[] = [];
  const addModule = (module: string, dirs: readonly string[]) => {
    for (const file of moduleFiles(module, dirs, sources)) seeds.push(file);
  };
  if (sources.has(`${root}setup.py`)) seeds.push(`${root}setup.py`);
  for (const hook of ["hatch_build.py", "pdm_build.py"]) if (sources.has(`${root}${hook}`)) seeds.push(`${root}${hook}`);
  const pyproject = readPyproject(layout.configs.get(`${root}pyproject.toml`));
  for (const dir of pyproject.backendPath) searchDirs.push(joinDir(root, dir));
  if (pyproject.backend !== undefined && pyproject.backendPath.length > 0) {
    addModule(pyproject.backend, pyproject.backendPath.map((dir) => joinDir(root, dir)));
  }
  for (const path of pyproject.hookFiles) if (sources.has(`${root}${path}`)) seeds.push(`${root}${path}`);
  for (const target of [...pyproject.cmdclass, ...setupCfgCmdclass(layout.configs.get(`${root}setup.cfg`))]) {
    const module = target.includes(":") ? target.slice(0, target.indexOf(":")) : target.split(".").slice(0, -1).join(".");
    addModule(module, searchDirs);
  }

  const install = new Set<string>();
  while (seeds.length > 0) {
    const file = seeds.pop() as string;
    if (install.has(file)) continue;
    install.add(file);
    const facts = sources.get(file);
    if (!facts) continue;
    const dir = file.slice(0, file.lastIndexOf("/") + 1);
    for (const imported of facts.imports) {
      const base = imported.level > 0 ? parentDir(dir, imported.level - 1) : undefined;
      const dirs = base === undefined ? searchDirs : [base];
      addModule(imported.module, dirs);
      for (const name of imported.names) if (name !== "*") addModule(imported.module ? `${imported.module}.${name}` : name, dirs);
    }
    for (const fact of facts.facts) {
      if (fact.k !== "execfile" || fact.path.includes("{}")) continue;
      for (const candidate of [normalizeRelativePath(dir + fact.path), normalizeRelativePath(root + fact.path)]) {
        if (candidate !== undefined && sources.has(candidate)) seeds.push(candidate);
      }
    }
  }
  const scopes = new Map<string, SourceScope>();
  for (const path of sources.keys()) scopes.set(path, install.has(path) ? "install" : "runtime");
  return scopes;
}

function moduleFiles(module: string, dirs: readonly string[], sources: Map<string, FileFacts>): string[] {
  if (module === "") return dirs.map((dir) => `${dir}__init__.py`).filter((path) => sources.has(path));
  const relative = module.split(".").join("/");
  const out: string[] = [];
  for (const dir of dirs) {
    for (const candidate of [`${dir}${relative}.py`, `${dir}${relative}/__init__.py`]) if (sources.has(candidate)) out.push(candidate);
    // Importing a.b.c runs a/__init__.py and a/b/__init__.py first.
    const parts = module.split(".");
    for (let i = 1; i < parts.length; i++) {
      const init = `${dir}${parts.slice(0, i).join("/")}/__init__.py`;
      if (sources.has(init)) out.push(init);
    }
  }
  return out;
}

function parentDir(dir: string, levels: number): string {
  const parts = dir.split("/").filter(Boolean);
  return parts.length >= levels ? `${parts.slice(0, parts.length - levels).join("/")}${parts.length - levels > 0 ? "/" : ""}` : "";
}

function joinDir(root: string, dir: string): string {
  const joined = normalizeRelativePath(`${root}${dir}`) ?? root;
  return joined === "" || joined.endsWith("/") ? joined : `${joined}/`;
}

interface PyprojectHooks {
  backend: string | undefined;
  backendPath: string[];
  cmdclass: string[];
  hookFiles: string[];
}

function readPyproject(text: string | undefined): PyprojectHooks {
  const hooks: PyprojectHooks = { backend: undefined, backendPath: [], cmdclass: [], hookFiles: [] };
  if (text === undefined) return hooks;
  let doc: unknown;
  try {
    doc = parseToml(text);
  } catch {
    return hooks;
  }
  const system = field(doc, "build-system");
  const backend = field(system, "build-backend");
  if (typeof backend === "string") hooks.backend = backend.split(":")[0];
  const backendPath = field(system, "backend-path");
  if (Array.isArray(backendPath)) hooks.backendPath = backendPath.filter((p): p is string => typeof p === "string");
  const cmdclass = field(field(field(doc, "tool"), "setuptools"), "cmdclass");
  if (cmdclass && typeof cmdclass === "object") hooks.cmdclass = Object.values(cmdclass).filter((v): v is string => typeof v === "string");
  const hatch = field(field(doc, "tool"), "hatch");
  const hookTables = [
    field(field(field(hatch, "build"), "hooks"), "custom"),
    field(field(field(field(field(hatch, "build"), "targets"), "wheel"), "hooks"), "custom"),
    field(field(field(field(field(hatch, "build"), "targets"), "sdist"), "hooks"), "custom"),
    field(field(field(hatch, "metadata"), "hooks"), "custom"),
  ];
  for (const table of hookTables) {
    if (table === undefined) continue;
    const path = field(table, "path");
    hooks.hookFiles.push(typeof path === "string" ? path : "hatch_build.py");
  }
  return hooks;
}

function field(value: unknown, key: string): unknown {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined;
}

/** `[options] cmdclass = build_py = pkg.mod.Cls` (setuptools' declarative config). */
function setupCfgCmdclass(text: string | undefined): string[] {
  if (text === undefined) return [];
  const out: string[] = [];
  let section = "";
  let inCmdclass = false;
  for (const line of text.split(/\r?\n/)) {
    const header = /^\s*\[([^\]]+)\]/.exec(line);
    if (header) {
      section = (header[1] ?? "").trim();
      inCmdclass = false;
      continue;
    }
    if (section !== "options") continue;
    const key = /^(\w+)\s*[=:]\s*(.*)$/.exec(line);
    if (key) {
      inCmdclass = key[1] === "cmdclass";
      if (inCmdclass && key[2]) out.push(...cmdclassTargets(key[2]));
      continue;
    }
    if (inCmdclass && /^\s+\S/.test(line)) out.push(...cmdclassTargets(line));
    else if (!/^\s*$/.test(line)) inCmdclass = false;
  }
  return out;
}

function cmdclassTargets(text: string): string[] {
  const match = /^\s*\w+\s*=\s*([\w.:]+)\s*$/.exec(text);
  return match?.[1] ? [match[1]] : [];
}
