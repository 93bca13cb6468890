import { InputError } from "../core/errors.ts";
import { normalizeName } from "../core/names.ts";

export const DEFAULT_INDEX_URL = "https://pypi.org/simple";

/** The simple index root with exactly one trailing slash; rejects what is not an http(s) URL. */
export function simpleRoot(indexUrl: string): string {
  let url: URL;
  try {
    url = new URL(indexUrl);
  } catch {
    throw new InputError(`invalid index URL '${indexUrl}'`, undefined, "give an http(s) URL such as https://pypi.org/simple");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new InputError(`unsupported index URL '${indexUrl}'`, undefined, "only http:// and https:// indexes can be audited");
  }
  return `${url.href.replace(/\/+$/, "")}/`;
}

/**
 * The PyPI JSON API root that belongs to a simple index: pypi.org (and test.pypi.org) serve it
 * at /pypi/, and an index served at `<base>/simple/` (warehouse, devpi-style mirrors, the fixture
 * index) at `<base>/pypi/`. Undefined when nothing can be derived.
 */
export function jsonApiRoot(indexUrl: string): string | undefined {
  const root = simpleRoot(indexUrl);
  const url = new URL(root);
  if (url.hostname === "pypi.org" || url.hostname === "test.pypi.org") return `${url.origin}/pypi/`;
  const match = /^(.*\/)simple\/$/.exec(root);
  return match ? `${match[1]}pypi/` : undefined;
}

export function simpleProjectUrl(root: string, name: string): string {
  return `${root}${encodeURIComponent(normalizeName(name))}/`;
}

export function projectJsonUrl(root: string, name: string): string {
  return `${root}${encodeURIComponent(normalizeName(name))}/json`;
}

export function versionJsonUrl(root: string, name: string, version: string): string {
  return `${root}${encodeURIComponent(normalizeName(name))}/${encodeURIComponent(version)}/json`;
}
