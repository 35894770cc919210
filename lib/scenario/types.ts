/**
 * What a scenario sees of the running lab. Scenario code (params, faults, goals) is written
 * against these interfaces only; server/engine implements them on the real Docker engine.
 */
import type { Classification, Observation } from '../audit/classification';
import type { DockerCallBody, TypedLineBody } from '../audit/events';
import type { ContainerState, ExecOptions, ExecResult, MemoryStats } from '../runtime/container';
import type { Rng } from './rng';

export type Difficulty = 'beginner' | 'intermediate' | 'advanced';

/**
 * One thing the learner did (a Docker call through the proxy or a typed line), classified as
 * the scoring sees it. Goals that are about how the incident was handled (a connectivity
 * test, a debug sidecar) read these instead of guessing from the end state.
 */
export interface LearnerAction {
  /** Milliseconds on the session clock: since the session was ready. */
  atMs: number;
  body: DockerCallBody | TypedLineBody;
  /** The command as a person would recognise it. */
  text: string;
  classification: Classification | null;
}

export interface ScenarioContext<P = unknown> {
  readonly sessionId: string;
  readonly seed: string;
  readonly params: P;
  exec(service: string, cmd: string[], options?: ExecOptions): Promise<ExecResult>;
  inspect(service: string): Promise<ContainerState>;
  memory(service: string): Promise<MemoryStats>;
  logs(service: string, options?: { tail?: number }): Promise<string>;
  /** The container state recorded when the session became ready (before the learner acted). */
  baseline(service: string): ContainerState;
  /** Detaches a service from one of the scenario's networks (a fault: the dropped attachment). */
  disconnect(service: string, network: string): Promise<void>;
  /** Everything the learner has done so far, oldest first. */
  actions(): Promise<LearnerAction[]>;
  /**
   * Lab bookkeeping kept outside every container, in the session's own record, where the
   * learner (root in the containers) can neither read nor edit it: a fault notes a value
   * (an integrity baseline), a goal recalls it. The last note of a key wins.
   */
  note(key: string, value: string): Promise<void>;
  recall(key: string): Promise<string | null>;
  sleep(ms: number): Promise<void>;
  /** Milliseconds since the session started. */
  now(): number;
  /**
   * How much slower than usual this host is right now: 1 when quiet, up to 3 under load (from
   * the load average per core). Absent: taken as 1.
   */
  hostBusy?(): number;
}

export interface GoalResult {
  pass: boolean;
  /** What was observed, in a sentence a learner can read. */
  evidence: string;
}

/** Which lost services meet a goal by themselves: all affected ones (true), these, or none (false, []). */
export type RestartMeets = boolean | readonly string[];

export interface Goal<P> {
  id: string;
  /** What is checked, in the lab's terms (may name the mechanism): shown in the report. */
  title: string;
  /**
   * The same goal as an outcome customers would notice ("checkouts succeed"), shown while the
   * session runs so the Goals tab does not give the cause away. Without it the title is shown.
   */
  outcome?: string;
  /**
   * Only checks that nothing else was broken (no restart, data intact, standing rules kept):
   * it passes on an untouched system, so it adds to the outcome only once the learner changed
   * something (lib/scoring/report.ts).
   */
  guard?: boolean;
  /**
   * A restart alone makes it pass: the fault lives in the state a restart throws away (a
   * runaway process, a deleted file held open, a hung lock holder). Met only after such a
   * restart, it is not credited as the learner's fix (lib/scoring/restart-credit.ts).
   * `true`: a restart of any affected service meets it; a list: only a restart of one of these
   * (affected) services does; a function of the run's params: either, for variants that differ.
   */
  restartMeets?: RestartMeets | ((params: P) => RestartMeets);
  check(ctx: ScenarioContext<P>): Promise<GoalResult>;
}

export interface WaitCondition<P> {
  /** What the engine waits for, shown in progress and errors. */
  description: string;
  until(ctx: ScenarioContext<P>): Promise<boolean>;
  timeoutMs?: number;
}

export interface Fault<P> {
  id: string;
  title: string;
  inject(ctx: ScenarioContext<P>): Promise<void>;
  /** Provisioning is `ready` only once the symptom is really there. */
  waitFor?: WaitCondition<P>;
}

/**
 * Docker's health-check interval unless a service sets its own. Every check is a runc exec (a
 * new process in the container, ~70 ms of containerd/dockerd/runc CPU on this 2-core machine)
 * for as long as the session lives: at 5 s, twenty sessions' checks alone took a third of the
 * machine. Readiness does not wait for Docker's first check: provisioning runs the same test
 * itself until it passes (server/engine/provisioning.ts); `docker ps` says "health: starting"
 * until Docker's first check, one interval after the container started.
 */
export const HEALTH_INTERVAL_MS = 15_000;

export interface HealthcheckSpec {
  test: string[];
  intervalMs: number;
  timeoutMs: number;
  retries: number;
  startPeriodMs: number;
}

export interface ServiceLimits {
  /** Docker size string, e.g. "256m". Memory and memory+swap are both set to it. */
  memory: string;
  cpus: number;
  pids: number;
}

export interface ServiceSpec {
  image: string;
  command?: string[];
  env: Record<string, string>;
  networks: string[];
  healthcheck?: HealthcheckSpec;
  limits: ServiceLimits;
  /** Extra Linux capabilities the service itself needs (rare; audited in docs/security.md). */
  capAdd: string[];
  /** In-memory filesystems: mount point -> size. They count against the memory limit. */
  tmpfs?: Record<string, string>;
  /** The scenario's customers: lab-owned, hidden from the learner, reporting per-second buckets. */
  customers?: CustomersTarget;
}

/** What the service playing the customers calls and how often (trafficService sets it). */
export interface CustomersTarget {
  url: string;
  /** Requests per second. */
  rps: number;
}

export interface NetworkSpec {
  /** No route out of the network. Default true: sessions need no outside access. */
  internal: boolean;
}

export type CulpritKind = 'process' | 'query' | 'table' | 'network' | 'container' | 'file' | 'other';

/** The per-run answer, derived from the parameters; revealed in the report. */
export interface DiagnosisTruth {
  category: string;
  culprit: string;
  culpritKind: CulpritKind;
  /** Other spellings that count as naming the culprit (a PID, a qualified name). */
  accept?: string[];
  /**
   * The plausible answers in this run, the culprit among them (e.g. the three dependencies one
   * of which is cut off): an answer naming every one of them is no diagnosis, and naming the
   * culprit "or" another is a hedge.
   */
  candidates?: string[];
}

export interface DiagnosisSpec<P> {
  /** What the learner is asked to name, e.g. "the process holding the memory". */
  culpritLabel: string;
  /** Root-cause categories shown to the learner: the true one and plausible distractors. */
  categories: { id: string; label: string }[];
  truth(params: P): DiagnosisTruth;
}

/** What the protocol rules should expect of this scenario (see docs/scoring.md). */
export interface ScenarioProtocol {
  /** Services the incident is about: restarting one of them loses the evidence. */
  affectedServices: string[];
  /** A snapshot is expected before the first invasive change. */
  snapshotExpected: boolean;
  /**
   * What saved output counts as a whole snapshot here. By default only `docker commit` or
   * copying files out is whole and saved logs count half; where the evidence lives in memory
   * (a database's sessions and locks), saving output that shows it is the snapshot that matters.
   */
  snapshotEvidence: Observation[];
  /** A restart of an affected service is an acceptable fix here. */
  restartAllowed: boolean;
  /** Secret values or env names whose appearance in a command counts as exposure. */
  secrets: string[];
  /** The system is saturated: heavy and streaming commands add load. */
  stressed: boolean;
  /** Multiplies the emergency timeline (1 = 30 s / 2 min / 5 min). */
  timelineScale: number;
  /** Words that name the cause in a stakeholder update (e.g. "memory leak"). */
  causeHints: string[];
  /**
   * Signals a service's own app answers with a diagnostic (service -> signal names without
   * SIG, e.g. { api: ['USR1'] } for a thread dump its log announces): sending one to that
   * service is an observation of its process state, not a change.
   */
  safeSignals: Record<string, string[]>;
  /**
   * What reveals this scenario's culprit, when its culprit kind's default says too much: a
   * config culprit named only in the app's log (oom-limit) is not revealed by `docker ps`.
   * Absent: the defaults for the culprit kind (lib/scoring/diagnosis.ts REVEALED_BY).
   */
  revealedBy?: Observation[];
  /** What shows the symptom around it (absent: SUPPORTED_BY for the culprit kind). */
  supportedBy?: Observation[];
}

/** What a running session costs the host (docs/scenarios.md, "Cost"). */
export interface ScenarioCost {
  /** Cores the services use together while the incident runs. */
  cpus: number;
  /** Memory the services hold together, e.g. "512m". */
  memory: string;
  /** How heavy a start is against a plain one (1); scales the readiness deadline. */
  startWeight: number;
}

/**
 * What "served normally" means for a scenario's customers: a second in which at least
 * `successRate` of the requests succeeded and the p95 latency stayed at or under `p95Ms`.
 */
export interface ServedNormally {
  successRate: number;
  p95Ms: number;
}

export type InjectKind = 'stakeholder-update' | 'decision' | 'info';
export type InjectRole = 'commander' | 'driver' | 'scribe' | 'everyone';

/** A scheduled prompt from outside the incident (docs/scenarios.md, "Injects"). */
export interface InjectSpec {
  id: string;
  /** Seconds after ready, before `protocol.timelineScale` is applied. */
  atSeconds: number;
  kind: InjectKind;
  /** What the team reads, in a sentence or two. */
  text: string;
  /** The team role expected to answer it. */
  prompts: InjectRole;
}

/** An inject placed on the session clock. */
export interface ScenarioInject extends InjectSpec {
  /** ms after ready, scaled. */
  atMs: number;
}

export interface ScenarioMeta {
  title: string;
  summary: string;
  difficulty: Difficulty;
  minutes: number;
  tags: string[];
}

export interface ScenarioDefinition<P = Record<string, unknown>> extends ScenarioMeta {
  params(rng: Rng): P;
  diagnosis: DiagnosisSpec<P>;
  /** Progressive hints, from a gentle nudge to nearly the answer; taking one is logged. */
  hints: string[];
  cost: ScenarioCost;
  protocol: ScenarioProtocol;
  servedNormally: ServedNormally;
  networks: Record<string, NetworkSpec>;
  services(params: P): Record<string, ServiceSpec>;
  faults: Fault<P>[];
  goals: Goal<P>[];
  /** The field notes' defaults unless the author lists their own (an empty list means none). */
  injects: InjectSpec[];
}

/** A definition as an author writes it: optional parts may be left out. */
export interface ScenarioInput<P> extends Omit<ScenarioMeta, 'tags'> {
  tags?: string[];
  params(rng: Rng): P;
  diagnosis: DiagnosisSpec<P>;
  hints?: string[];
  cost: ScenarioCost;
  protocol?: Partial<ScenarioProtocol>;
  /** Required: every scenario says when its customers are served normally. */
  servedNormally: ServedNormally;
  networks?: Record<string, Partial<NetworkSpec>>;
  services(params: P): Record<string, ServiceInput>;
  faults?: Fault<P>[];
  goals: Goal<P>[];
  injects?: InjectSpec[];
}

export interface ServiceInput {
  /** Default: the scenario's own image, built from files/Dockerfile (sickbay/scenario-<slug>:latest). */
  image?: string;
  command?: string[];
  env?: Record<string, string>;
  networks?: string[];
  healthcheck?: Partial<HealthcheckSpec> & { test: string[] };
  limits?: Partial<ServiceLimits>;
  capAdd?: string[];
  tmpfs?: Record<string, string>;
  customers?: CustomersTarget;
}

/** The title a learner sees while the session runs: the outcome, else the title. */
export function liveGoalTitle(goal: { title: string; outcome?: string }): string {
  return goal.outcome ?? goal.title;
}

/** What the diagnosis form offers the learner: the culprit's label and the categories, never the truth. */
export type DiagnosisChoices = Pick<DiagnosisSpec<unknown>, 'culpritLabel' | 'categories'>;

export function diagnosisChoices(spec: DiagnosisChoices): DiagnosisChoices {
  return { culpritLabel: spec.culpritLabel, categories: spec.categories };
}
