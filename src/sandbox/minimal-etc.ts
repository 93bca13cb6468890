import { existsSync, mkdirSync, realpathSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Mount } from "./bwrap.ts";

/** Host files Python and pip may need, bound read-only; nothing else of the host /etc is visible. */
const HOST_ETC_FILES = ["ssl/certs", "ld.so.cache", "os-release", "localtime", "mime.types"];

/**
 * Writes a minimal /etc into `dir` (generated passwd, group, hosts, nsswitch.conf) and returns the
 * read-only binds of the few host files layered on top of it. There is deliberately no pip.conf,
 * resolv.conf or anything with host secrets. There is no shadow file either: pip's vendored
 * `distro` (like the `distro` package itself) stats every file in /etc, and an /etc/shadow there
 * would make every run look like password-hash theft; a real attempt opens it regardless.
 */
export function buildMinimalEtc(dir: string, home: string): Mount[] {
  mkdirSync(dir, { recursive: true });
  const generated: Record<string, string> = {
    passwd: `root:x:0:0:root:${home}:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n`,
    group: "root:x:0:\nnogroup:x:65534:\n",
    hosts: "127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n",
    hostname: "localhost\n",
    "nsswitch.conf": "passwd: files\ngroup: files\nshadow: files\nhosts: files\n",
  };
  for (const [name, content] of Object.entries(generated)) writeFileSync(join(dir, name), content, { mode: 0o644 });

  const mounts: Mount[] = [];
  for (const relative of HOST_ETC_FILES) {
    const hostPath = join("/etc", relative);
    if (!existsSync(hostPath)) continue;
    // os-release and localtime are symlinks on Debian; bind their target so no dangling link remains.
    const source = realpathSync(hostPath);
    const placeholder = join(dir, relative);
    mkdirSync(dirname(placeholder), { recursive: true });
    if (statSync(source).isDirectory()) mkdirSync(placeholder, { recursive: true });
    else writeFileSync(placeholder, "");
    mounts.push({ kind: "ro-bind", source, dest: hostPath });
  }
  return mounts;
}
