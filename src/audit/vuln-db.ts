import { readdir, readFile, stat } from "node:fs/promises";
import { extname, join } from "node:path";
import { unzipSync } from "fflate";
import { parse as parseYaml } from "yaml";
import { InputError, errorMessage } from "../core/errors.ts";
import { normalizeName } from "../core/names.ts";
import { asOsvRecord, type OsvRecord } from "./osv.ts";

/**
 * `--vuln-db PATH`: an offline OSV export, either a directory tree of OSV records (`.json`,
 * `.yaml`, `.yml`) or the `all.zip` that osv.dev publishes per ecosystem. Records are indexed by
 * the PEP 503 name of every PyPI package they affect.
 */
export class OsvDatabase {
  private readonly byPackage = new Map<string, OsvRecord[]>();
  size = 0;

  add(record: OsvRecord): void {
    this.size++;
    const names = new Set<string>();
    for (const entry of record.affected ?? []) {
      if (entry.package?.ecosystem === "PyPI" && entry.package.name) names.add(normalizeName(entry.package.name));
    }
    for (const name of names) {
      const list = this.byPackage.get(name);
      if (list) list.push(record);
      else this.byPackage.set(name, [record]);
    }
  }

  recordsFor(name: string): readonly OsvRecord[] {
    return this.byPackage.get(normalizeName(name)) ?? [];
  }
}

const RECORD_EXTENSIONS = new Set([".json", ".yaml", ".yml"]);

const loaded = new Map<string, Promise<OsvDatabase>>();

/** One load per path and run: the audit and the known-malware check read the same export. */
export function loadOsvDatabase(path: string): Promise<OsvDatabase> {
  let database = loaded.get(path);
  if (!database) {
    database = readOsvDatabase(path);
    loaded.set(path, database);
  }
  return database;
}

async function readOsvDatabase(path: string): Promise<OsvDatabase> {
  const hint = "point --vuln-db at a directory of OSV records or at an OSV all.zip export";
  const stats = await stat(path).catch(() => undefined);
  if (!stats) throw new InputError(`--vuln-db ${path} does not exist`, undefined, hint);
  const database = new OsvDatabase();
  if (stats.isDirectory()) {
    for (const file of await recordFiles(path)) addDocument(database, file, await readFile(file, "utf8"));
  } else if (extname(path).toLowerCase() === ".zip") {
    let entries: Record<string, Uint8Array>;
    try {
      entries = unzipSync(new Uint8Array(await readFile(path)), { filter: (file) => RECORD_EXTENSIONS.has(extname(file.name).toLowerCase()) });
    } catch (error) {
      throw new InputError(`--vuln-db ${path} is not a readable zip archive: ${errorMessage(error)}`, undefined, hint);
    }
    const decoder = new TextDecoder();
    for (const [name, content] of Object.entries(entries)) addDocument(database, `${path}!${name}`, decoder.decode(content));
  } else {
    addDocument(database, path, await readFile(path, "utf8"));
  }
  return database;
}

async function recordFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await recordFiles(path)));
    else if (RECORD_EXTENSIONS.has(extname(entry.name).toLowerCase())) files.push(path);
  }
  return files.sort();
}

/** A file that does not parse is an error (a half-written export must not pass silently); a document without an `id` is not a record and is skipped. */
export function addDocument(database: OsvDatabase, source: string, text: string): void {
  let value: unknown;
  try {
    value = source.toLowerCase().endsWith(".json") ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new InputError(`${source}: not a valid OSV record: ${errorMessage(error)}`, undefined, "repair or remove the file, or download the export again");
  }
  const record = asOsvRecord(value);
  if (record) database.add(record);
}
