import { describe, expect, test } from "bun:test";
import { tcpSocketInode } from "../../src/sandbox/socket-owner.ts";

describe("socket owner lookup", () => {
  test("finds the inode of the connection from the client port to the forwarder", () => {
    const table = [
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
      "   0: 0100007F:0C38 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1111 1 0 100 0 0 10 0",
      "   1: 0100007F:8DF2 0100007F:0C38 01 00000000:00000000 00:00000000 00000000     0        0 2222 1 0 20 4 30 10 -1",
    ].join("\n");
    expect(tcpSocketInode(table, 0x8df2, 3128)).toBe("2222");
    expect(tcpSocketInode(table, 1, 3128)).toBeUndefined();
  });
});
