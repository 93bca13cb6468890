/**
 * Requirements declared in pyproject.toml: PEP 621 `[project]` dependencies and
 * optional-dependencies, PEP 735 `[dependency-groups]`, and Poetry's dependency tables.
 */
import { InputError, type Origin } from "../core/errors.ts";
import { normalizeName } from "../core/names.ts";
import { PoetryTranslationError, translatePoetryDependency } from "./poetry.ts";
import { formatRequirement, parseRequirement } from "./requirement.ts";
import { type TomlDocument, type TomlTable, isTable } from "./toml-file.ts";
import { TomlLocator } from "./toml-locate.ts";
import type { Requirement } from "../core/requirements.ts";

export interface ProjectSelection {
  /** Extras whose optional dependencies are included; undefined means every extra. */
  extras: string[] | undefined;
  /** Dependency groups (PEP 735 or Poetry) to include; none by default. */
  groups: string[];
  warn: (message: string) => void;
}

/** One named list of requirements: an extra or a group. */
interface NamedList {
  name: string;
  requirements: Requirement[];
  /** Normalised names of included groups (PEP 735 include-group). */
  includes: Array<{ group: string; origin: Origin }>;
}

class ProjectReader {
  readonly doc: TomlDocument;
  readonly locator: TomlLocator;

  constructor(doc: TomlDocument) {
    this.doc = doc;
    this.locator = new TomlLocator(doc.text);
  }

  origin(path: readonly string[]): Origin {
    return { file: this.doc.shownAs, line: this.locator.nearestLineOf(path) };
  }

  fail(path: readonly string[], message: string, hint?: string): never {
    throw new InputError(message, this.origin(path), hint);
  }

  /** A TOML array of PEP 508 strings, each with the line it is written on. */
  requirementArray(path: readonly string[], value: unknown): Requirement[] {
    if (!Array.isArray(value) || !value.every((entry) => typeof entry === "string")) {
      this.fail(path, `${path.join(".")} must be a list of requirement strings`);
    }
    const lines = this.locator.elementLines(path, value);
    return value.map((text, i) => parseRequirement(text, { file: this.doc.shownAs, line: lines[i] ?? 1 }));
  }

  /** A Poetry dependency table (`name = "^1.2"` entries), without `python`. */
  poetryTable(path: readonly string[], value: unknown): Array<{ requirement: Requirement; optional: boolean }> {
    if (!isTable(value)) this.fail(path, `${path.join(".")} must be a table`);
    return Object.entries(value)
      .filter(([name]) => normalizeName(name) !== "python")
      .flatMap(([name, declaration]) => {
        const origin = this.origin([...path, name]);
        let texts;
        try {
          texts = translatePoetryDependency(name, declaration);
        } catch (error) {
          if (error instanceof PoetryTranslationError) throw new InputError(`Poetry dependency '${name}': ${error.message}`, origin, error.hint);
          throw error;
        }
        return texts.map(({ text, optional }) => ({ requirement: parseRequirement(text, origin), optional }));
      });
  }
}

function stringList(reader: ProjectReader, path: readonly string[], value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((entry) => typeof entry === "string")) reader.fail(path, `${path.join(".")} must be a list of strings`);
  return value;
}

/** True if the file declares dependencies in a form this reader understands (used by discovery). */
export function declaresDependencies(data: TomlTable): boolean {
  const project = isTable(data.project) ? data.project : {};
  const poetry = poetryTable(data);
  return project.dependencies !== undefined || project["optional-dependencies"] !== undefined || data["dependency-groups"] !== undefined || poetry?.dependencies !== undefined || poetry?.group !== undefined;
}

function poetryTable(data: TomlTable): TomlTable | undefined {
  const tool = data.tool;
  return isTable(tool) && isTable(tool.poetry) ? tool.poetry : undefined;
}

export function projectRequirements(doc: TomlDocument, selection: ProjectSelection): Requirement[] {
  const reader = new ProjectReader(doc);
  const data = doc.data;
  if (data.project !== undefined && !isTable(data.project)) reader.fail(["project"], "[project] must be a table");
  const project = isTable(data.project) ? data.project : undefined;
  const poetry = poetryTable(data);
  if (project === undefined && poetry === undefined && data["dependency-groups"] === undefined) {
    throw new InputError(`${doc.shownAs} declares no dependencies: it has no [project], [tool.poetry] or [dependency-groups] table`, undefined, "pass the requirements with -r requirements.txt");
  }
  const projectName = normalizeName(String(project?.name ?? poetry?.name ?? ""));
  const dynamic = stringList(reader, ["project", "dynamic"], project?.dynamic);
  const main = mainDependencies(reader, project, poetry, dynamic);
  const extras = optionalDependencies(reader, project, poetry, dynamic, selection);
  const groups = dependencyGroups(reader, data, poetry);
  const selectedExtras = selectExtras(reader, extras, main, projectName, selection);
  const selectedGroups = selectGroups(reader, groups, selection.groups);

  const chosen = [
    ...main,
    ...extras.filter((list) => selectedExtras.has(list.name)).flatMap((list) => list.requirements),
    ...selectedGroups.flatMap((list) => list.requirements),
  ];
  const seen = new Set<string>();
  return chosen.filter((requirement) => {
    if (requirement.normalizedName === projectName) return false;
    const key = `${requirement.origin.line}\0${formatRequirement(requirement)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function mainDependencies(reader: ProjectReader, project: TomlTable | undefined, poetry: TomlTable | undefined, dynamic: string[]): Requirement[] {
  const poetryMain = poetry?.dependencies;
  if (project?.dependencies !== undefined) {
    if (dynamic.includes("dependencies")) reader.fail(["project", "dynamic"], "'dependencies' is both listed in [project] and declared dynamic");
    // Poetry 2 treats [tool.poetry.dependencies] as extra detail for [project] dependencies, not as more of them.
    return reader.requirementArray(["project", "dependencies"], project.dependencies);
  }
  if (poetryMain !== undefined) {
    return reader.poetryTable(["tool", "poetry", "dependencies"], poetryMain).filter((entry) => !entry.optional).map((entry) => entry.requirement);
  }
  if (dynamic.includes("dependencies")) {
    reader.fail(
      ["project", "dynamic"],
      "the project's dependencies are dynamic (computed by the build backend when it runs), so they cannot be read without running its code",
      "pass the requirements with -r requirements.txt",
    );
  }
  return [];
}

function optionalDependencies(reader: ProjectReader, project: TomlTable | undefined, poetry: TomlTable | undefined, dynamic: string[], selection: ProjectSelection): NamedList[] {
  const lists = new Map<string, NamedList>();
  const listFor = (name: string) => {
    const key = normalizeName(name);
    let list = lists.get(key);
    if (!list) {
      list = { name: key, requirements: [], includes: [] };
      lists.set(key, list);
    }
    return list;
  };
  const table = project?.["optional-dependencies"];
  if (table !== undefined) {
    if (!isTable(table)) reader.fail(["project", "optional-dependencies"], "[project.optional-dependencies] must be a table");
    for (const [extra, entries] of Object.entries(table)) {
      listFor(extra).requirements.push(...reader.requirementArray(["project", "optional-dependencies", extra], entries));
    }
  } else if (dynamic.includes("optional-dependencies")) {
    if (selection.extras !== undefined && selection.extras.length > 0) {
      reader.fail(["project", "dynamic"], "the project's optional-dependencies are dynamic, so the extras named with --extra cannot be read", "pass their requirements with -r");
    }
    if (selection.extras === undefined) selection.warn(`${reader.doc.shownAs}: optional-dependencies are dynamic and are not scanned; pass them with -r to include them`);
  }
  const poetryExtras = poetry?.extras;
  if (poetryExtras !== undefined && poetry?.dependencies !== undefined) {
    if (!isTable(poetryExtras)) reader.fail(["tool", "poetry", "extras"], "[tool.poetry.extras] must be a table");
    const optional = reader.poetryTable(["tool", "poetry", "dependencies"], poetry.dependencies).filter((entry) => entry.optional);
    for (const [extra, names] of Object.entries(poetryExtras)) {
      const wanted = new Set(stringList(reader, ["tool", "poetry", "extras", extra], names).map(normalizeName));
      listFor(extra).requirements.push(...optional.filter((entry) => wanted.has(entry.requirement.normalizedName)).map((entry) => entry.requirement));
    }
  }
  return [...lists.values()];
}

function dependencyGroups(reader: ProjectReader, data: TomlTable, poetry: TomlTable | undefined): Map<string, NamedList[]> {
  const groups = new Map<string, NamedList[]>();
  const add = (list: NamedList) => groups.set(list.name, [...(groups.get(list.name) ?? []), list]);
  const pep735 = data["dependency-groups"];
  if (pep735 !== undefined) {
    if (!isTable(pep735)) reader.fail(["dependency-groups"], "[dependency-groups] must be a table");
    const seen = new Map<string, string>();
    for (const [group, entries] of Object.entries(pep735)) {
      const path = ["dependency-groups", group];
      const key = normalizeName(group);
      const clash = seen.get(key);
      if (clash !== undefined) reader.fail(path, `dependency groups '${clash}' and '${group}' have the same normalised name`);
      seen.set(key, group);
      if (!Array.isArray(entries)) reader.fail(path, `dependency group '${group}' must be a list`);
      const strings = entries.filter((entry): entry is string => typeof entry === "string");
      const includes = entries.filter((entry) => typeof entry !== "string").map((entry) => {
        if (!isTable(entry) || Object.keys(entry).length !== 1 || typeof entry["include-group"] !== "string") {
          reader.fail(path, `dependency group '${group}' may only contain requirement strings and {include-group = "name"} tables`);
        }
        return { group: normalizeName(entry["include-group"]), origin: reader.origin(path) };
      });
      add({ name: key, requirements: reader.requirementArray(path, strings), includes });
    }
  }
  const poetryGroups = poetry?.group;
  if (poetryGroups !== undefined) {
    if (!isTable(poetryGroups)) reader.fail(["tool", "poetry", "group"], "[tool.poetry.group] must be a table");
    for (const [group, table] of Object.entries(poetryGroups)) {
      const path = ["tool", "poetry", "group", group, "dependencies"];
      if (!isTable(table) || table.dependencies === undefined) reader.fail(path.slice(0, -1), `Poetry group '${group}' has no dependencies table`);
      add({ name: normalizeName(group), requirements: reader.poetryTable(path, table.dependencies).map((entry) => entry.requirement), includes: [] });
    }
  }
  if (poetry?.["dev-dependencies"] !== undefined) {
    add({ name: "dev", requirements: reader.poetryTable(["tool", "poetry", "dev-dependencies"], poetry["dev-dependencies"]).map((entry) => entry.requirement), includes: [] });
  }
  return groups;
}

function selectExtras(reader: ProjectReader, extras: NamedList[], main: Requirement[], projectName: string, selection: ProjectSelection): Set<string> {
  const known = new Map(extras.map((list) => [list.name, list]));
  const wanted = selection.extras === undefined ? [...known.keys()] : selection.extras.map(normalizeName);
  for (const extra of wanted) {
    if (!known.has(extra)) {
      const defined = [...known.keys()];
      throw new InputError(`unknown extra '${extra}': ${reader.doc.shownAs} defines ${defined.length > 0 ? defined.join(", ") : "no extras"}`);
    }
  }
  // A self-reference such as `myproject[test]` pulls in that extra's dependencies.
  const selected = new Set<string>();
  const queue = [...wanted, ...main.filter((r) => r.normalizedName === projectName).flatMap((r) => r.extras.map(normalizeName))];
  for (let extra = queue.shift(); extra !== undefined; extra = queue.shift()) {
    if (selected.has(extra)) continue;
    selected.add(extra);
    for (const requirement of known.get(extra)?.requirements ?? []) {
      if (requirement.normalizedName === projectName) queue.push(...requirement.extras.map(normalizeName));
    }
  }
  return selected;
}

function selectGroups(reader: ProjectReader, groups: Map<string, NamedList[]>, wanted: string[]): NamedList[] {
  const selected: NamedList[] = [];
  const visit = (name: string, chain: string[], origin: Origin | undefined) => {
    if (chain.includes(name)) {
      throw new InputError(`dependency group cycle: ${[...chain, name].join(" -> ")}`, origin, "remove one of the include-group entries that form the cycle");
    }
    const lists = groups.get(name);
    if (!lists) {
      const defined = [...groups.keys()];
      throw new InputError(`unknown dependency group '${name}': ${reader.doc.shownAs} defines ${defined.length > 0 ? defined.join(", ") : "no groups"}`, origin);
    }
    for (const list of lists) {
      if (!selected.includes(list)) selected.push(list);
      for (const include of list.includes) visit(include.group, [...chain, name], include.origin);
    }
  };
  for (const name of wanted) visit(normalizeName(name), [], undefined);
  return selected;
}
