import { randomBytes } from "node:crypto";
import { type Dirent, existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Mount } from "./bwrap.ts";

/**
 * Host files bound read-only at their place: system identity, name service, locale, time zone,
 * CA certificates and linker configuration. None of them holds a secret: passwd and group carry
 * no password hashes (those are in shadow, never shown). Paths are relative to /etc.
 */
const HOST_ETC_ALLOWLIST = [
  "os-release", "lsb-release", "debian_version", "redhat-release", "alpine-release", "issue", "issue.net", "hostname",
  "passwd", "group", "nsswitch.conf", "host.conf", "networks", "protocols", "services", "ethertypes", "rpc", "gai.conf",
  "localtime", "timezone", "locale.alias", "locale.gen", "locale.conf", "default/locale",
  "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "mime.types", "magic", "magic.mime", "login.defs", "shells", "inputrc",
  "adduser.conf", "deluser.conf", "debconf.conf", "mke2fs.conf", "manpath.config", "bindresvport.blacklist",
  "ssl/certs", "ssl/openssl.cnf", "ca-certificates", "ca-certificates.conf", "pki/tls/certs", "pki/ca-trust",
  "alternatives", "fonts", "xdg/user-dirs.defaults",
];

/**
 * Names never shown, not even empty: pip's vendored `distro` (like the `distro` package) stats
 * every file in /etc, and a stat of these is the password-hash theft finding.
 */
const HIDDEN_ETC = new Set(["shadow", "shadow-", "gshadow", "gshadow-"]);

/** Names whose content is generated here rather than bound or left empty. */
const GENERATED_ETC = new Set(["resolv.conf", "hosts", "machine-id"]);

/**
 * A systemd-resolved stub address on loopback, where nothing listens in the sandbox's own network
 * namespace: a DNS lookup becomes a traced connect/sendto, which the network rules report.
 */
export const SANDBOX_NAMESERVER = "127.0.0.53";

function hostsFile(hostname: string): string {
  let text = "127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n";
  try {
    text = readFileSync("/etc/hosts", "utf8");
  } catch {
    // No readable host file: the default above is what a fresh system has.
  }
  // The hostname must resolve without DNS, as on the host (where nss-myhostname or this line does it).
  const names = text.split("\n").flatMap((line) => line.replace(/#.*/, "").trim().split(/\s+/).slice(1));
  if (!names.includes(hostname)) text = `${text.replace(/\n?$/, "\n")}127.0.1.1 ${hostname}\n`;
  return text;
}

function generatedContent(name: string, hostname: string): string {
  switch (name) {
    case "resolv.conf":
      return `nameserver ${SANDBOX_NAMESERVER}\noptions edns0 trust-ad\nsearch .\n`;
    case "hosts":
      return hostsFile(hostname);
    default:
      // machine-id: a fresh random id in the usual format, never the host's.
      return `${randomBytes(16).toString("hex")}\n`;
  }
}

/** Recreates one top-level host /etc entry: a link as the same link, a dir empty, a file empty. */
function placeholder(dir: string, entry: Dirent): void {
  const target = join(dir, entry.name);
  if (entry.isSymbolicLink()) symlinkSync(readlinkSync(join("/etc", entry.name)), target);
  else if (entry.isDirectory()) mkdirSync(target, { mode: 0o755 });
  else if (entry.isFile()) writeFileSync(target, "", { mode: 0o644 });
}

/**
 * Writes the sandbox's /etc into `dir`: every top-level entry name of the host's /etc (empty
 * files and directories, links as links), generated resolv.conf, hosts and machine-id, and
 * returns the read-only binds of the allowlisted host files layered on top of it. Nothing else
 * of the host's /etc is readable: pip.conf, environment, ssh host keys and the like are empty.
 */
export function buildHostEtc(dir: string, hostname: string): Mount[] {
  mkdirSync(dir, { recursive: true });
  let entries: Dirent[] = [];
  try {
    entries = readdirSync("/etc", { withFileTypes: true });
  } catch {
    // An unreadable /etc leaves only the generated files.
  }
  for (const entry of entries) {
    if (HIDDEN_ETC.has(entry.name) || GENERATED_ETC.has(entry.name)) continue;
    placeholder(dir, entry);
  }
  for (const name of GENERATED_ETC) writeFileSync(join(dir, name), generatedContent(name, hostname), { mode: 0o644 });

  const mounts: Mount[] = [];
  for (const relative of HOST_ETC_ALLOWLIST) {
    const hostPath = join("/etc", relative);
    if (!existsSync(hostPath)) continue;
    const top = relative.split("/")[0] ?? relative;
    // A top-level link stays a link (its target lies in a visible system dir or in this /etc).
    if (top === relative && entries.some((entry) => entry.name === top && entry.isSymbolicLink())) continue;
    const source = realpathSync(hostPath);
    const stand = join(dir, relative);
    mkdirSync(dirname(stand), { recursive: true });
    if (statSync(source).isDirectory()) mkdirSync(stand, { recursive: true });
    else if (!existsSync(stand)) writeFileSync(stand, "");
    mounts.push({ kind: "ro-bind", source, dest: hostPath });
  }
  return mounts;
}
