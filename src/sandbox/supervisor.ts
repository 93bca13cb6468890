/**
 * The first process inside every sandbox: pipcanary's own code, so its trace events are never
 * blamed on a package. It runs the phase's steps one after another (each a direct child, which is
 * how the process tree ties a step to its package), optionally forwards the sandbox's only
 * network path, and after the last step waits up to the grace period while any other process of
 * the sandbox is still alive, so a double-forked payload that sleeps and then acts is still
 * traced. Its exit status says which step failed: 0 all fine, FIRST_FAILED_STEP_STATUS + i.
 */
export const SUPERVISOR_PY = String.raw`
import json, os, selectors, socket, subprocess, sys, threading, time

def write_all(sock, data):
    view = memoryview(data)
    while view:
        view = view[os.write(sock.fileno(), view):]

# One relay thread for every connection, copying with os.write: under strace -f, a thread per
# connection (clone, exit) and traced sendto calls of this relay of pipcanary's own added ~15 ms to
# each proxied request. pip's connect to the forwarder is still traced, and the egress proxy sees
# every request. Writes block, so a client that stops reading stalls the relay: only its own phase
# (ending in the phase time limit), never a check.
def relay(listener, target):
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    peers = {}
    ended = set()
    while True:
        for key, _ in selector.select():
            sock = key.fileobj
            if sock is listener:
                client, peer = listener.accept()
                upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                try:
                    upstream.connect(target)
                    write_all(upstream, b"PIPCANARY-PEER %d\n" % peer[1])
                except OSError:
                    client.close()
                    upstream.close()
                    continue
                peers[client], peers[upstream] = upstream, client
                selector.register(client, selectors.EVENT_READ)
                selector.register(upstream, selectors.EVENT_READ)
                continue
            other = peers[sock]
            try:
                data = sock.recv(65536)
                if data:
                    write_all(other, data)
                    continue
            except OSError:
                pass
            selector.unregister(sock)
            ended.add(sock)
            try:
                other.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            if other in ended:
                for end in (sock, other):
                    ended.discard(end)
                    del peers[end]
                    end.close()

def forward(port, target):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(64)
    threading.Thread(target=relay, args=(listener, target), daemon=True).start()

def others():
    me = os.getpid()
    return [name for name in os.listdir("/proc") if name.isdigit() and int(name) not in (1, me)]

# A step with "stdin" gets that file's content through a pipe (so its process can read it once, and
# never find where it came from); a step with "waitSeconds" is left running after that long, to be
# reported as lingering after the grace period.
def feed(pipe, data):
    try:
        pipe.write(data)
        pipe.close()
    except OSError:
        pass

def run_step(step):
    source = step.get("stdin")
    child = subprocess.Popen(step["argv"], cwd=step.get("cwd"), stdin=subprocess.PIPE if source else subprocess.DEVNULL)
    if source:
        with open(source, "rb") as handle:
            data = handle.read()
        # A thread, because a step whose start-up hangs never reads more than the pipe buffer.
        threading.Thread(target=feed, args=(child.stdin, data), daemon=True).start()
    try:
        return child.wait(step.get("waitSeconds"))
    except subprocess.TimeoutExpired:
        return 0

def main():
    with open(sys.argv[1]) as handle:
        plan = json.load(handle)
    if plan.get("forward"):
        forward(plan["forward"]["port"], plan["forward"]["socket"])
    status = 0
    for index, step in enumerate(plan["steps"]):
        try:
            code = run_step(step)
        except OSError as error:
            print("pipcanary supervisor: cannot run step %d: %s" % (index, error), file=sys.stderr)
            code = 127
        if code != 0 and step.get("required", True):
            status = plan["failedBase"] + index
            break
    deadline = time.monotonic() + plan["graceSeconds"]
    while others() and time.monotonic() < deadline:
        time.sleep(0.05)
    sys.stdout.flush()
    os._exit(status)

main()
`;

/** Exit status of the supervisor when step i failed: FIRST_FAILED_STEP_STATUS + i. */
export const FIRST_FAILED_STEP_STATUS = 100;

export interface SupervisorStep {
  argv: string[];
  cwd?: string;
  /** A failing required step ends the phase; optional ones (one import each) do not. */
  required: boolean;
  /** A file (sandbox path) whose content is written to the step's stdin through a pipe; else /dev/null. */
  stdin?: string;
  /** How long the supervisor waits for the step before it goes on, leaving it running; default: until it ends. */
  waitSeconds?: number;
}

export interface SupervisorPlan {
  /** Forward 127.0.0.1:port inside the sandbox to the egress proxy's unix socket. */
  forward: { port: number; socket: string } | undefined;
  steps: SupervisorStep[];
  graceSeconds: number;
  failedBase: number;
}
