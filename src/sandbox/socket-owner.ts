import { readFileSync, readdirSync, readlinkSync } from "node:fs";
import { ProcView, isNamespaceInit } from "./kill.ts";

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** Inode of the IPv4 TCP socket localPort → remotePort in a /proc/<pid>/net/tcp table. */
export function tcpSocketInode(table: string, localPort: number, remotePort: number): string | undefined {
  for (const row of table.split("\n").slice(1)) {
    const columns = row.trim().split(/\s+/);
    const local = columns[1]?.split(":")[1];
    const remote = columns[2]?.split(":")[1];
    if (local === undefined || remote === undefined) continue;
    if (Number.parseInt(local, 16) === localPort && Number.parseInt(remote, 16) === remotePort) return columns[9];
  }
  return undefined;
}

function ownsSocket(procDir: string, inode: string): boolean {
  let fds: string[];
  try {
    fds = readdirSync(`${procDir}/fd`);
  } catch {
    return false;
  }
  const target = `socket:[${inode}]`;
  return fds.some((fd) => {
    try {
      return readlinkSync(`${procDir}/fd/${fd}`) === target;
    } catch {
      return false;
    }
  });
}

/**
 * Pid (in pipcanary's PID namespace) of the sandboxed process that holds the loopback connection from `localPort` to the
 * forwarder's `remotePort`. Read by pipcanary from the host's /proc (the sandbox's network
 * namespace table through one of its processes), so nothing the sandbox says is trusted.
 */
export function sandboxSocketOwner(tracerPid: number, localPort: number, remotePort: number): number | undefined {
  const view = new ProcView();
  const members = view.descendants(tracerPid);
  const initEntry = members.find(isNamespaceInit);
  if (initEntry === undefined) return undefined;
  const table = readOrUndefined(`${view.root}/${initEntry.procPid}/net/tcp`);
  const inode = table === undefined ? undefined : tcpSocketInode(table, localPort, remotePort);
  if (inode === undefined || inode === "0") return undefined;
  return members.find((entry) => ownsSocket(`${view.root}/${entry.procPid}`, inode))?.localPid;
}
