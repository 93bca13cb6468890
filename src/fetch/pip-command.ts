import { DEFAULT_INDEX_URL } from "../index/urls.ts";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { IndexOptions, RequirementSet } from "../core/requirements.ts";
import { destinationKey } from "./egress-proxy.ts";


/** Index options including the optional ones newer inputs stages set. */
type PipIndexOptions = IndexOptions & { noIndex?: boolean; preferBinary?: boolean };

/**
 * The host's pip, run by `interpreter` (the host Python, or a venv's to install into it) through
 * pip's own `__pip-runner__.py`, with nothing of the host's pip configuration: `--isolated`
 * ignores PIP_* variables and user config; the sandbox also sets PIP_CONFIG_FILE=/dev/null (for
 * pip's build-environment subprocesses, which do not get --isolated) and has no /etc/pip.conf.
 * `-I`: no PYTHON* variables, no user site. `site: false` adds `-S`: no site-packages and no .pth
 * files of the host interpreter at pip's start-up (pip needs none, and a traced start-up is
 * cheaper without them). A venv's interpreter needs its site module: that is what makes it the
 * venv (sys.prefix) that pip installs into. `pipRunner` is the runner script, or a stand-in for
 * it followed by the stand-in's own arguments (see unpack-copies.ts).
 */
export function pipCommand(interpreter: string, pipRunner: string | readonly string[], options: { site: boolean }, ...args: string[]): string[] {
  const site = options.site ? [] : ["-S"];
  const runner = typeof pipRunner === "string" ? [pipRunner] : pipRunner;
  return [interpreter, "-I", ...site, ...runner, "--isolated", "--no-input", "--disable-pip-version-check", ...args];
}

/** Options every pip call shares: no cache (the decoy home is fresh anyway), no progress bars. */
export const PIP_COMMON_ARGS: readonly string[] = ["--no-cache-dir", "--progress-bar", "off", "--use-pep517"];

/** --index-url (or --no-index), --extra-index-url, --find-links, --pre, --prefer-binary, --only-binary. */
export function indexArgs(index: PipIndexOptions): string[] {
  const args: string[] = [];
  if (index.noIndex) args.push("--no-index");
  else {
    args.push("--index-url", index.indexUrl ?? DEFAULT_INDEX_URL);
    for (const url of index.extraIndexUrls) args.push("--extra-index-url", url);
  }
  for (const link of index.findLinks) args.push("--find-links", link);
  if (index.pre) args.push("--pre");
  if (index.preferBinary) args.push("--prefer-binary");
  if (index.onlyBinary.length > 0) args.push("--only-binary", index.onlyBinary.join(","));
  return args;
}

function remoteUrl(text: string): URL | undefined {
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:" ? url : undefined;
  } catch {
    return undefined;
  }
}

/** host:port destinations the egress proxy lets through: the indexes and find-links hosts. */
export function allowedDestinations(index: PipIndexOptions): Set<string> {
  const allowed = new Set<string>();
  const urls = [...(index.noIndex ? [] : [index.indexUrl ?? DEFAULT_INDEX_URL, ...index.extraIndexUrls]), ...index.findLinks];
  for (const text of urls) {
    const url = remoteUrl(text);
    if (!url) continue;
    const port = url.port === "" ? (url.protocol === "https:" ? 443 : 80) : Number(url.port);
    allowed.add(destinationKey(url.hostname.replace(/^\[|\]$/g, ""), port));
    // PyPI's index pages link to files on its CDN host.
    if (url.hostname === "pypi.org") allowed.add(destinationKey("files.pythonhosted.org", 443));
  }
  return allowed;
}

/**
 * Local directories and files pip must read in the fetch phase (file:// or plain-path indexes and
 * find-links, `name @ file:///…` requirements): bound read-only into the sandbox at their paths.
 */
export function localPaths(set: RequirementSet): string[] {
  const index: PipIndexOptions = set.index;
  const candidates = [
    ...(index.noIndex ? [] : [index.indexUrl ?? DEFAULT_INDEX_URL, ...index.extraIndexUrls]),
    ...index.findLinks,
    ...set.requirements.flatMap((requirement) => (requirement.url === undefined ? [] : [requirement.url])),
  ];
  const paths: string[] = [];
  for (const text of candidates) {
    let path: string | undefined;
    if (text.startsWith("file:")) path = fileURLToPath(text);
    else if (text.startsWith("/")) path = text;
    if (path !== undefined && existsSync(path)) paths.push(path);
  }
  return paths;
}
