import { closeSync, openSync, writeSync } from "node:fs";

const FLUSH_BYTES = 1 << 16;

/** `-t FILE`: every strace line of every phase, buffered so tracing does not wait on the disk. */
export class RawTraceWriter {
  private readonly fd: number;
  private buffer: string[] = [];
  private size = 0;

  constructor(path: string) {
    this.fd = openSync(path, "w", 0o600);
  }

  readonly write = (line: string): void => {
    this.buffer.push(line);
    this.size += line.length + 1;
    if (this.size >= FLUSH_BYTES) this.flush();
  };

  /** A comment line between phases (strace never starts a line with '#'). */
  section(title: string): void {
    this.write(`# pipcanary: ${title}`);
  }

  flush(): void {
    if (this.buffer.length === 0) return;
    writeSync(this.fd, `${this.buffer.join("\n")}\n`);
    this.buffer = [];
    this.size = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}
