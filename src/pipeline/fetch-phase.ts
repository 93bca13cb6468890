import { mkdirSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { onCleanup } from "../core/cleanup.ts";
import type { Artifact } from "../core/artifact.ts";
import { buildRequirementSets } from "../fetch/build-requires.ts";
import { collectArtifacts, parseDistributionFilename } from "../fetch/collect.ts";
import { type EgressAttempt, type EgressProxy, destinationKey, startEgressProxy } from "../fetch/egress-proxy.ts";
import { HOLD_BACK_PATH } from "../audit/hold-back.ts";
import { fetchFailureError } from "../fetch/pip-failure.ts";
import { allowedDestinations, indexArgs, localPaths, PIP_COMMON_ARGS, pipCommand } from "../fetch/pip-command.ts";
import { requirementFiles } from "../fetch/requirements-file.ts";
import { unpackCopiesDir, writeUnpackCopyingRunner } from "../fetch/unpack-copies.ts";
import type { RequirementSet } from "../core/requirements.ts";
import type { Finding } from "../core/finding.ts";
import { loadRuleSet } from "../rules/rule-set.ts";
import type { Mount } from "../sandbox/bwrap.ts";
import { sandboxSocketOwner } from "../sandbox/socket-owner.ts";
import { unpackFindings } from "../static/index.ts";
import type { AttributedEvent } from "../trace/events.ts";
import { DEFAULT_TIMEOUTS, downloadDirs, type ScanContext } from "./context.ts";
import type { KnownMalwareGate, ReleaseRef } from "./known-malware.ts";
import type { ActivePhase, PhaseOutcome, PhaseSpec, PlannedStep } from "./phase-runner.ts";

/** The forwarder's port on the sandbox's own loopback; nothing else listens there. */
const FORWARD_PORT = 3128;
const PROXY_URL = `http://127.0.0.1:${FORWARD_PORT}`;
const PROXY_ENV = { HTTP_PROXY: PROXY_URL, HTTPS_PROXY: PROXY_URL, http_proxy: PROXY_URL, https_proxy: PROXY_URL };
/** Host proxy settings the sandbox mirrors (as canaries) that would take pip past the forwarder. */
const PROXY_BYPASS_NAMES = ["NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"];

function proxyEnv(sandboxEnv: Record<string, string>): Record<string, string> {
  const cleared = PROXY_BYPASS_NAMES.filter((name) => name in sandboxEnv).map((name) => [name, ""]);
  return { ...PROXY_ENV, ...Object.fromEntries(cleared) };
}

/**
 * Blame for a request that reached the egress proxy, found through the host's view of the
 * forwarder connection, published as an `egress` event (the built-in egress plugin turns it into
 * a finding). The proxy can hear from a process before the trace has shown its spawn and exec,
 * so a sender is looked up once the trace has shown its connection to the forwarder (or ended).
 */
function publishEgress(context: ScanContext, attempt: EgressAttempt, forwarderClients: ReadonlySet<number>, onForwarderClient: (pid: number, then: () => void) => void): void {
  const active = context.runner.active;
  if (!active) return;
  const owner = attempt.peerPort === undefined ? undefined : sandboxSocketOwner(active.run.tracerPid, attempt.peerPort, FORWARD_PORT);
  const publish = () => {
    const attribution = owner === undefined ? undefined : active.trace.attributionOf(owner);
    context.events.publish("egress", { attempt, phase: active.phase, package: attribution?.package, argv: attribution?.argv });
  };
  if (owner === undefined || forwarderClients.has(owner)) {
    publish();
    return;
  }
  active.pending.push(
    new Promise<void>((resolve) => {
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        publish();
        resolve();
      };
      onForwarderClient(owner, finish);
      void active.traceEnded.then(finish);
    }),
  );
}

/** The processes the trace has seen connect to the forwarder, and who waits for which. */
function forwarderClients(context: ScanContext): { seen: Set<number>; waitFor: (pid: number, then: () => void) => void; close: () => void } {
  const seen = new Set<number>();
  const waiting = new Map<number, Array<() => void>>();
  const close = context.events.on("syscall", ({ event }) => {
    if (event.kind !== "connect" || event.port !== FORWARD_PORT || seen.has(event.pid)) return;
    seen.add(event.pid);
    for (const then of waiting.get(event.pid) ?? []) then();
    waiting.delete(event.pid);
  });
  const waitFor = (pid: number, then: () => void) => waiting.set(pid, [...(waiting.get(pid) ?? []), then]);
  return { seen, waitFor, close };
}

/** The releases whose files pip fetched through the proxy so far, in order. */
function downloadedReleases(attempts: readonly EgressAttempt[]): ReleaseRef[] {
  return attempts.flatMap((attempt) => {
    if (!attempt.allowed || attempt.url === undefined) return [];
    const file = parseDistributionFilename(decodeURIComponent(new URL(attempt.url).pathname.split("/").pop() ?? ""));
    return file ? [{ name: file.name, version: file.version }] : [];
  });
}

/**
 * The known-malware gate on pip's index traffic: a known-malicious file is refused, and the
 * finding stops the phase (the sandbox is killed) before pip can build or unpack anything of it.
 * A failed lookup (the OSV API unreachable) refuses the request too; `failure` keeps the error for
 * the report, which pip's own message about a 403 would hide.
 */
function screenFor(context: ScanContext, gate: KnownMalwareGate, attempts: () => readonly EgressAttempt[], failure: { error?: unknown }): (url: URL) => Promise<boolean> {
  return async (url) => {
    try {
      const verdict = await gate.screen(url, downloadedReleases(attempts()));
      for (const finding of verdict.findings) {
        if (!context.events.report(finding)) context.findings.push(finding);
      }
      return !verdict.refuse;
    } catch (error) {
      failure.error ??= error;
      return false;
    }
  };
}

/** What a held process gets once its file's release has a verdict. */
type HoldOutcome = "resume" | "blocked" | "failed";

function signalProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Gone already: nothing of it is left to hold.
  }
}

/**
 * The known-malware gate on the files pip opens, which the trace sees even when the proxy only
 * tunnels (HTTPS) or pip reads find-links: pip is stopped with SIGSTOP (strace keeps a ptraced
 * process in its group-stop) until the release's verdict, and so is any child it started before
 * the stop landed; a match is a blocking finding, which kills the sandbox before pip unpacks or
 * builds the file. A failed lookup kills them, and `failure` turns the run into that error, as the
 * proxy screen does.
 */
function holdOpenedFiles(context: ScanContext, gate: KnownMalwareGate, attempts: () => readonly EgressAttempt[], failure: { error?: unknown }): (attributed: AttributedEvent) => void {
  const verdicts = new Map<string, Promise<HoldOutcome>>();
  const cleared = new Set<string>();
  const opened: ReleaseRef[] = [];
  const heldBy = new Map<number, Promise<HoldOutcome>>();
  const hold = (active: ActivePhase, pid: number, verdict: Promise<HoldOutcome>) => {
    signalProcess(pid, "SIGSTOP");
    heldBy.set(pid, verdict);
    active.pending.push(
      verdict.then((outcome) => {
        if (heldBy.get(pid) === verdict) heldBy.delete(pid);
        // A blocked phase's sandbox is being killed; its processes stay stopped until then.
        if (outcome === "resume") signalProcess(pid, "SIGCONT");
        if (outcome === "failed") signalProcess(pid, "SIGKILL");
      }),
    );
  };
  const verdictOf = (active: ActivePhase, filename: string, file: ReleaseRef): Promise<HoldOutcome> =>
    gate.opened(filename, [...downloadedReleases(attempts()), ...opened]).then(
      (findings) => {
        for (const finding of findings) active.trace.report(finding);
        if (findings.some((finding) => finding.severity === "block")) return "blocked";
        cleared.add(filename);
        opened.push({ name: file.name, version: file.version });
        return "resume";
      },
      (error: unknown) => {
        failure.error ??= error;
        return "failed";
      },
    );
  return ({ event }) => {
    const active = context.runner.active;
    if (!active) return;
    if (event.kind === "spawn") {
      const verdict = heldBy.get(event.pid);
      if (verdict) hold(active, event.childPid, verdict);
      return;
    }
    if (event.kind !== "open" || event.errno !== undefined) return;
    const filename = basename(event.path);
    const file = parseDistributionFilename(filename);
    if (!file || cleared.has(filename)) return;
    const verdict = verdicts.get(filename) ?? verdictOf(active, filename, file);
    verdicts.set(filename, verdict);
    hold(active, event.pid, verdict);
  };
}

/** Every downloaded file against known malware, whatever the proxy could see of its download. */
async function checkDownloads(context: ScanContext, artifacts: Artifact[]): Promise<boolean> {
  const gate = context.options.knownMalware;
  if (!gate) return true;
  context.findings.push(...(await gate.artifacts(artifacts)));
  return !context.findings.some((finding) => finding.severity === "block");
}

function fileUrls(proxy: EgressProxy): Map<string, string> {
  const urls = new Map<string, string>();
  for (const attempt of proxy.attempts) {
    if (!attempt.allowed || attempt.url === undefined) continue;
    const last = new URL(attempt.url).pathname.split("/").pop();
    if (last) urls.set(decodeURIComponent(last), attempt.url);
  }
  return urls;
}

async function checkFetchFailure(outcome: PhaseOutcome, proxy: EgressProxy, what: string, set: RequirementSet, requirementsPath: string): Promise<void> {
  if (outcome.blocked || outcome.failedStep === undefined) return;
  throw await fetchFailureError({ output: outcome.result.outputTail, set, requirementsPath, attempts: proxy.attempts, what });
}

/**
 * The phase's findings, with the blame moved to the archive when pip unpacked one whose members
 * reach outside their folder (`../`, absolute paths, links out of the tree) and the phase then
 * stopped or pip failed: a write pip made through such a member is that sdist's, reported under
 * the archive rule instead of as pip's own blocking finding, and pip refusing a `../` member (it
 * checks those) is no longer a failed scan. Returns the findings and whether the phase is blocked.
 */
async function blameUnpackedArchives(context: ScanContext, outcome: PhaseOutcome): Promise<{ findings: Finding[]; blocked: boolean }> {
  const plain = { findings: outcome.findings, blocked: outcome.blocked };
  if (!outcome.blocked && outcome.failedStep === undefined) return plain;
  const environment = context.environment;
  const copies = await collectArtifacts(unpackCopiesDir(environment), environment.workDir);
  const unsafe = unpackFindings(copies, loadRuleSet().static, "fetch");
  if (!unsafe.some((finding) => finding.severity === "block")) return plain;
  const rest = outcome.findings.filter((finding) => finding.package !== undefined || finding.severity !== "block");
  return { findings: [...unsafe, ...rest], blocked: true };
}

/** pip download of the requirement set, then of the sdists' build requirements; undefined when blocked. */
export async function fetchPhase(context: ScanContext, set: RequirementSet): Promise<{ artifacts: Artifact[]; buildArtifacts: Artifact[] } | undefined> {
  const { environment, runner, options } = context;
  const python = environment.python.executable;
  const { artifactDir, buildDir } = downloadDirs(environment);
  const copiesDir = unpackCopiesDir(environment);
  mkdirSync(artifactDir);
  mkdirSync(buildDir);
  mkdirSync(copiesDir);
  const pipRunner = writeUnpackCopyingRunner(environment, copiesDir);
  const files = requirementFiles(set);
  const requirementsPath = join(environment.workDir, "requirements.txt");
  const constraintsPath = join(environment.workDir, "constraints.txt");
  writeFileSync(requirementsPath, files.requirements);
  writeFileSync(constraintsPath, files.constraints);

  const gate = options.knownMalware;
  const heldBack = options.holdBack;
  // Under --hold-back-recent pip sees one index, the held-back view of all of them, served by the proxy.
  const pipIndex = heldBack ? { ...set.index, indexUrl: `${PROXY_URL}${HOLD_BACK_PATH}`, extraIndexUrls: [] } : set.index;
  const screenFailure: { error?: unknown } = {};
  const clients = forwarderClients(context);
  const proxy = await startEgressProxy({
    socketPath: join(environment.egressDir, environment.egressSocketName),
    allow: heldBack ? new Set([...allowedDestinations(set.index), destinationKey("127.0.0.1", FORWARD_PORT)]) : allowedDestinations(set.index),
    onAttempt: (attempt) => publishEgress(context, attempt, clients.seen, clients.waitFor),
    screen: gate ? screenFor(context, gate, () => proxy.attempts, screenFailure) : undefined,
    answer: heldBack ? (url) => (url.origin === PROXY_URL ? heldBack.answer(url) : Promise.resolve(undefined)) : undefined,
  });
  const unregister = onCleanup(() => proxy.close());
  try {
    const common: Omit<PhaseSpec, "steps"> = {
      phase: "fetch",
      timeoutSeconds: options.timeouts?.fetch ?? DEFAULT_TIMEOUTS.fetch,
      mounts: [
        { kind: "ro-bind", source: environment.egressDir, dest: environment.egressMount },
        ...localPaths(set).map((path): Mount => ({ kind: "ro-bind", source: path, dest: path })),
      ],
      env: proxyEnv(environment.env),
      forward: { port: FORWARD_PORT, socket: join(environment.egressMount, environment.egressSocketName) },
      protectedDirs: [artifactDir, buildDir, copiesDir],
      onEvent: gate ? holdOpenedFiles(context, gate, () => proxy.attempts, screenFailure) : undefined,
    };
    const download = (dest: string, ...rest: string[]) =>
      pipCommand(python, pipRunner, { site: false }, "download", "--dest", dest, ...PIP_COMMON_ARGS, "--proxy", PROXY_URL, ...indexArgs(pipIndex), ...rest);

    context.progress(`Downloading ${set.requirements.filter((requirement) => !requirement.constraint).length} requirement(s) in the sandbox…`);
    const main = await runner.run({
      ...common,
      steps: [{ argv: download(artifactDir, "-r", requirementsPath, "-c", constraintsPath), required: true, package: undefined, label: "pip download" }],
    });
    const mainBlame = await blameUnpackedArchives(context, main);
    context.findings.push(...mainBlame.findings);
    if (mainBlame.blocked) return undefined;
    if (screenFailure.error !== undefined) throw screenFailure.error;
    await checkFetchFailure(main, proxy, "the requirements", set, requirementsPath);
    const artifacts = await collectArtifacts(artifactDir, environment.workDir, fileUrls(proxy));
    if (!(await checkDownloads(context, artifacts))) return undefined;

    // pip builds sdists in an isolated env it fills from the index; the offline install phase
    // needs those build requirements as files, so they are fetched here, while there is network.
    const buildSets = buildRequirementSets(artifacts);
    if (buildSets.length === 0) return { artifacts, buildArtifacts: [] };
    context.progress(`Downloading the build requirements of ${artifacts.filter((artifact) => artifact.kind === "sdist").length} sdist(s)…`);
    const steps: PlannedStep[] = buildSets.map((requires) => ({
      argv: download(buildDir, "--", ...requires),
      required: true,
      package: undefined,
      label: `pip download ${requires.join(" ")}`,
    }));
    // setuptools < 70 asks for wheel at build time without declaring it.
    const declaresWheel = (requires: string[]) => requires.some((requirement) => /^wheel\b/i.test(requirement));
    if (!buildSets.every(declaresWheel)) {
      steps.push({ argv: download(buildDir, "--", "wheel"), required: false, package: undefined, label: "pip download wheel" });
    }
    const build = await runner.run({ ...common, steps });
    const buildBlame = await blameUnpackedArchives(context, build);
    context.findings.push(...buildBlame.findings);
    if (buildBlame.blocked) return undefined;
    if (screenFailure.error !== undefined) throw screenFailure.error;
    await checkFetchFailure(build, proxy, "the build requirements of the sdists", set, requirementsPath);
    const buildArtifacts = await collectArtifacts(buildDir, environment.workDir, fileUrls(proxy));
    if (!(await checkDownloads(context, buildArtifacts))) return undefined;
    return { artifacts, buildArtifacts };
  } finally {
    clients.close();
    unregister();
    await proxy.close();
  }
}

