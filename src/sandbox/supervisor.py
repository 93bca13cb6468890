# Read by a bare interpreter from stdin, followed by one line `main(<plan>)` whose plan is a
# Python literal (see supervisor.ts).
import os, sys
sys.path[:] = [entry for entry in sys.path if entry not in ("", ".", os.getcwd())]
import selectors, socket, subprocess, threading, time

def write_all(sock, data):
    view = memoryview(data)
    while view:
        view = view[os.write(sock.fileno(), view):]

# One relay thread for every connection, copying with os.write: under strace -f, a thread per
# connection (clone, exit) and traced sendto calls of this relay of the supervisor's own added ~15 ms to
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
                    write_all(upstream, b"PROXY TCP4 %s %s %d %d\r\n" % (peer[0].encode(), listener.getsockname()[0].encode(), peer[1], listener.getsockname()[1]))
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

# A step with "stdin" gets that text through a pipe (so its process can read it once, and never
# find where it came from); a step with "waitSeconds" is left running after that long, to be
# reported as lingering after the grace period.
def feed(pipe, data):
    try:
        pipe.write(data)
        pipe.close()
    except OSError:
        pass

def run_step(step, env):
    text = step.get("stdin")
    child = subprocess.Popen(step["argv"], cwd=step.get("cwd"), stdin=subprocess.DEVNULL if text is None else subprocess.PIPE, env=env)
    if text is not None:
        # A thread, because a step whose start-up hangs never reads more than the pipe buffer.
        threading.Thread(target=feed, args=(child.stdin, text.encode()), daemon=True).start()
    try:
        return child.wait(step.get("waitSeconds"))
    except subprocess.TimeoutExpired:
        return 0

def main(plan):
    if plan.get("forward"):
        forward(plan["forward"]["port"], plan["forward"]["socket"])
    status = 0
    for index, step in enumerate(plan["steps"]):
        try:
            code = run_step(step, plan["env"])
        except OSError as error:
            print("cannot run step %d: %s" % (index, error), file=sys.stderr)
            code = 127
        if code != 0 and step.get("required", True):
            status = plan["failedBase"] + index
            break
    deadline = time.monotonic() + plan["graceSeconds"]
    while others() and time.monotonic() < deadline:
        time.sleep(0.05)
    sys.stdout.flush()
    os._exit(status)
