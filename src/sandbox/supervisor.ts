/**
 * The first process inside every sandbox: pipcanary's own code, so its trace events are never
 * blamed on a package. It runs the phase's steps one after another (each a direct child, which is
 * how the process tree ties a step to its package), optionally forwards the sandbox's only
 * network path, and after the last step waits up to the grace period while any other process of
 * the sandbox is still alive, so a double-forked payload that sleeps and then acts is still
 * traced. Its exit status says which step failed: 0 all fine, FIRST_FAILED_STEP_STATUS + i.
 *
 * It is started as a bare interpreter reading this program (with its plan) on stdin, so that no
 * process of the sandbox can see a script path or argument that names the scanner. The first
 * statement drops the working directory from sys.path (a stdin program gets it), which package
 * code can write to: nothing of the supervisor may be imported from there.
 */
const SUPERVISOR_PY = String.raw`
import os, sys
sys.path[:] = [entry for entry in sys.path if entry not in ("", ".", os.getcwd())]
import json, selectors, socket, subprocess, threading, time

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
`;

/** Exit status of the supervisor when step i failed: FIRST_FAILED_STEP_STATUS + i. */
export const FIRST_FAILED_STEP_STATUS = 100;

export interface SupervisorStep {
  argv: string[];
  cwd?: string;
  /** A failing required step ends the phase; optional ones (one import each) do not. */
  required: boolean;
  /** Text written to the step's stdin through a pipe (it exists in no file); else stdin is /dev/null. */
  stdin?: string;
  /** How long the supervisor waits for the step before it goes on, leaving it running; default: until it ends. */
  waitSeconds?: number;
}

export interface SupervisorPlan {
  /** Forward 127.0.0.1:port inside the sandbox to the egress proxy's unix socket. */
  forward: { port: number; socket: string } | undefined;
  steps: SupervisorStep[];
  graceSeconds: number;
  /** The steps' environment (the twin environment); the supervisor's own is supervisorEnvironment(). */
  env: Record<string, string>;
  failedBase: number;
}

/** The supervisor's program with its plan, for a bare interpreter's stdin. */
export function supervisorProgram(plan: SupervisorPlan): string {
  return `${SUPERVISOR_PY}\nmain(json.loads(${JSON.stringify(JSON.stringify(plan))}))\n`;
}

/** Interpreter settings that would make the supervisor import or run files package code can write. */
const SUPERVISOR_UNSET = new Set(["PYTHONPATH", "PYTHONSTARTUP", "PYTHONINSPECT", "PYTHONUSERBASE"]);

/**
 * The supervisor's own environment: the steps' one without PYTHONPATH and with neither user site
 * nor working directory on sys.path, so that a file planted in the decoy home or the work dir in
 * one phase never runs inside the next phase's supervisor, whose events are blamed on no package.
 * The steps get the plan's environment back unchanged; package code sees this one only by reading
 * /proc/<pid>/environ, which is a blocking finding.
 */
export function supervisorEnvironment(env: Record<string, string>): Record<string, string> {
  const kept = Object.entries(env).filter(([name]) => !SUPERVISOR_UNSET.has(name));
  return { ...Object.fromEntries(kept), PYTHONNOUSERSITE: "1", PYTHONSAFEPATH: "1" };
}
