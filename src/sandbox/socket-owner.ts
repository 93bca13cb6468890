import { readFileSync, readdirSync, readlinkSync } from "node:fs";
import { descendants, namespaceInit } from "./kill.ts";

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

function ownsSocket(pid: number, inode: string): boolean {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return false;
  }
  const target = `socket:[${inode}]`;
  return fds.some((fd) => {
    try {
      return readlinkSync(`/proc/${pid}/fd/${fd}`) === target;
    } catch {
      return false;
    }
  });
}

/**
 * Host pid of the sandboxed process that holds the loopback connection from `localPort` to the
 * forwarder's `remotePort`. Read by pipcanary from the host's /proc (the sandbox's network
 * namespace table through one of its processes), so nothing the sandbox says is trusted.
 */
export function sandboxSocketOwner(tracerPid: number, localPort: number, remotePort: number): number | undefined {
  const init = namespaceInit(tracerPid);
  if (init === undefined) return undefined;
  const pids = [init, ...descendants(init)];
  const table = readOrUndefined(`/proc/${init}/net/tcp`);
  const inode = table === undefined ? undefined : tcpSocketInode(table, localPort, remotePort);
  if (inode === undefined || inode === "0") return undefined;
  return pids.find((pid) => ownsSocket(pid, inode));
}
