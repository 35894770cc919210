/**
 * Everything that happens in a session is one event in an append-only log. This is the
 * tagged union of what an event can say; later sources (proxy, console, UI) add variants.
 */
import type { SessionStatus } from '../lifecycle/status';

export type ProvisionPhase = 'network' | 'create' | 'start' | 'readiness' | 'faults' | 'baseline' | 'console' | 'teardown';

export interface GoalOutcome {
  id: string;
  title: string;
  pass: boolean;
  evidence: string;
}

/** One Docker API call made through the session's proxy (the learner's hands). */
export interface DockerCallBody {
  kind: 'docker';
  /** What the call does, in docker CLI words: logs, stats, inspect, exec, restart, commit, run, ... */
  action: string;
  method: string;
  /** The request path without the API version prefix, e.g. /containers/abc/logs. */
  path: string;
  /** The scenario's service name of the target container, when there is one. */
  target?: string;
  targetId?: string;
  /** Flags that matter for scoring: tty, follow, stream, tail, signal, ... */
  flags?: Record<string, string | number | boolean>;
  /** The exec'd command line, for exec create. */
  command?: string[];
  allowed: boolean;
  /** HTTP status answered to the learner (the engine's, or ours when refused). */
  status?: number;
  /** Why it was refused (starts with "sickbay:"). */
  reason?: string;
}

/** A Docker call that did not do what it asked: refused by the proxy or answered with an error. */
export function callFailed(e: Pick<DockerCallBody, 'allowed' | 'status'>): boolean {
  return !e.allowed || (e.status !== undefined && e.status >= 400);
}

/** A command line typed by the learner, reconstructed from a terminal input stream. */
export interface TypedLineBody {
  kind: 'typed';
  /** console: at the console container's own prompt; exec: inside an interactive docker exec. */
  where: 'console' | 'exec';
  target?: string;
  line: string;
  /** History recall, completion or cursor movement made the reconstruction uncertain. */
  approximate: boolean;
}

export interface TerminalBody {
  kind: 'terminal';
  action: 'open' | 'close' | 'resize';
  cols?: number;
  rows?: number;
  detail?: string;
}

export type DiagnosisDecision = 'fix-in-place' | 'restart' | 'rollback';
export const DIAGNOSIS_DECISIONS: readonly DiagnosisDecision[] = ['fix-in-place', 'restart', 'rollback'];

/** The learner's diagnosis and decision, submitted from the session page. */
export interface DiagnosisBody {
  kind: 'diagnosis';
  /** One of the scenario's diagnosis.categories ids. */
  category: string;
  /** Free text naming the culprit (a process, query, table, ...). */
  culprit: string;
  /** Ids of the learner's own events that showed the culprit. */
  evidence: number[];
  decision: DiagnosisDecision;
  /** Why this decision (fix in place vs restart vs rollback). */
  reason: string;
}

/** A stakeholder update written by the learner. */
export interface UpdateBody {
  kind: 'update';
  text: string;
}

/** A hint the learner chose to reveal. */
export interface HintBody {
  kind: 'hint';
  index: number;
}

/**
 * A budget the lab enforces on the session where Docker cannot (the writable layers' size):
 * a warning the learner sees, then the session's end.
 */
export interface LimitBody {
  kind: 'limit';
  resource: 'storage';
  level: 'warning' | 'exceeded';
  usedBytes: number;
  budgetBytes: number;
  /** What the learner reads: how much, of what budget, and what happens next. */
  detail: string;
}

/**
 * Coach mode held an evidence-losing call (`warned`), or the learner repeated it within the
 * window and it went through (`chose`). The call itself is logged as a docker event as usual.
 */
export interface CoachedBody {
  kind: 'coached';
  phase: 'warned' | 'chose';
  /** The docker action (restart, stop, kill, update) and its target service; `typed` for a line typed in an exec. */
  action: string;
  target?: string;
  /** The line typed inside an interactive exec (action `typed`). */
  line?: string;
  /** The classifier's tier and summary of the call. */
  tier: string;
  summary: string;
  /** What the learner was told (warned only). */
  message?: string;
  /** When the warning was given (chose only; epoch ms). */
  warnedAt?: number;
}

/**
 * A scenario inject shown to the team (lib/scenario/injects.ts): logged the first time the
 * session is read once its time has come. `atMs` is when it was due on the session clock.
 */
export interface InjectBody {
  kind: 'inject';
  inject: string;
  injectKind: 'stakeholder-update' | 'decision' | 'info';
  text: string;
  prompts: 'commander' | 'driver' | 'scribe' | 'everyone';
  atMs: number;
}

/**
 * A team session's seats changed (lib/auth/team.ts): the team was set, or the driver seat was
 * handed from one member to another. `by` is who did it (user ids throughout).
 */
export interface TeamBody {
  kind: 'team';
  action: 'members' | 'handover';
  by: string;
  from?: string;
  to?: string;
  detail?: string;
}

/** What Docker recorded about one service's container, compared with the baseline at ready. */
export interface ContainerFacts {
  id: string;
  running: boolean;
  pid: number;
  startedAt: string;
  /** When the main process last ended (Docker's State.FinishedAt); absent when unknown. */
  finishedAt?: string;
  oomKilled: boolean;
  exitCode: number;
}

/**
 * Docker's own record of a service's container at the end of the session (the engine inspects
 * it before the teardown): whatever command caused a restart, the record shows it.
 */
export interface ContainerRecordBody {
  kind: 'container-record';
  service: string;
  /** The container as it was when the session became ready. */
  baseline: ContainerFacts;
  /** The container now; null when it no longer exists. */
  now: ContainerFacts | null;
}

/**
 * Lab bookkeeping a scenario keeps outside every container (ScenarioContext.note): an integrity
 * baseline, say. The learner never sees these events (the engine filters them out of the log).
 */
export interface LabNoteBody {
  kind: 'lab-note';
  key: string;
  value: string;
}

export type SessionEventBody =
  | LabNoteBody
  | CoachedBody
  | InjectBody
  | TeamBody
  | ContainerRecordBody
  | DiagnosisBody
  | LimitBody
  | UpdateBody
  | HintBody
  | DockerCallBody
  | TypedLineBody
  | TerminalBody
  | { kind: 'lifecycle'; status: SessionStatus; detail?: string }
  | { kind: 'provision'; phase: ProvisionPhase; ms: number; detail?: string }
  | { kind: 'fault'; fault: string; title: string; ms: number }
  | { kind: 'goals'; final: boolean; passed: number; total: number; results: GoalOutcome[] };

export type SessionEventKind = SessionEventBody['kind'];

/**
 * Who did it, in a team session: the user id of the member typing (terminal, proxy calls while
 * they drive) or submitting (diagnosis, update, hint). Absent when the session has no team.
 */
export interface Attribution {
  actor?: string;
}

/** An event as written: its body and, in a team session, its actor. */
export type SessionEventInput = SessionEventBody & Attribution;

export type SessionEvent = SessionEventBody & Attribution & {
  /** Position in the session's log (monotonic per store). */
  id: number;
  sessionId: string;
  /** Milliseconds since the session was created. */
  t: number;
  /** Wall-clock time (epoch ms). */
  at: number;
};
