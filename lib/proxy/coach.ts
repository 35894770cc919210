/**
 * Coach mode (issue #15): a Docker call that would throw away the evidence of a scenario
 * service (restart, stop, kill, an update of its limits) is held once with a message that
 * says what would be lost and what to do first; the same call again within the window goes
 * through. The tier comes from the audit classifier, never from the command text, so the
 * coach and the protocol score agree on what a call is. Pure: the proxy keeps the memory.
 */
import { classifyDockerCall } from '../audit/classify';
import { classifyShell } from '../audit/command';
import type { DockerCallBody } from '../audit/events';

export const COACH_PREFIX = 'sickbay coach: ';
export const COACH_WINDOW_MS = 60_000;
/** Held calls remembered at once; older ones are forgotten first (a bound, not a rule). */
const MAX_REMEMBERED = 64;

/** The proxy's memory of held calls: key -> when it was held (epoch ms). */
export type CoachMemory = Map<string, number>;

export type CoachVerdict =
  /** Not a call the coach holds: forward it. */
  | { kind: 'pass' }
  /** Held: answer `message`, remember `key`. */
  | { kind: 'hold'; key: string; tier: string; summary: string; message: string }
  /** Held before, repeated within the window: forward it; the learner chose. */
  | { kind: 'chose'; key: string; tier: string; summary: string; warnedAt: number };

/** Flags that do not make two calls different (the connection a CLI happened to open). */
const IGNORED_FLAGS = new Set(['connection']);

function ownFlags(flags: DockerCallBody['flags']): Record<string, string | number | boolean> {
  return Object.fromEntries(Object.entries(flags ?? {}).filter(([k]) => !IGNORED_FLAGS.has(k)));
}

/** The same call: same action on the same container with the same options. */
export function coachKey(call: Pick<DockerCallBody, 'action' | 'targetId' | 'target' | 'flags'>): string {
  const flags = Object.entries(ownFlags(call.flags))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${String(v)}`);
  return [call.action, call.targetId ?? call.target ?? '', ...flags].join(' ');
}

/**
 * Whether the coach holds a call: evidence-losing tiers (state-losing, destructive) and a
 * change of a container's limits (which can hide the symptom), on a scenario service only.
 */
export function coachHolds(call: DockerCallBody, role: 'service' | 'sidecar'): { tier: string; summary: string } | null {
  if (role !== 'service') return null;
  const c = classifyDockerCall({ ...call, flags: ownFlags(call.flags) });
  const losesEvidence = c.tier === 'state-losing' || c.tier === 'destructive';
  const changesLimits = c.effects.some((e) => e.type === 'limits' && e.detail !== '');
  return losesEvidence || changesLimits ? { tier: c.tier, summary: c.summary } : null;
}

/** What the docker CLI prints when a call is held: what is lost, what to do first, how to go on. */
export function coachMessage(call: Pick<DockerCallBody, 'action' | 'target'>, summary: string): string {
  const name = call.target ?? 'the container';
  const first =
    call.action === 'update'
      ? `write down what you see now (docker stats --no-stream ${name}, docker logs --tail 200 ${name})`
      : `save what it shows now: read its logs (docker logs ${name} > ${name}.log) and take a snapshot (docker commit ${name})`;
  const what = call.action === 'update' ? `${summary}, which can hide the symptom you are investigating` : summary;
  return `${COACH_PREFIX}this ${what}; ${first} first, or run the same command again within ${COACH_WINDOW_MS / 1000} s to do it anyway`;
}

/** Drops held calls older than the window, and the oldest until one more fits the bound. */
function prune(memory: CoachMemory, now: number): void {
  for (const [key, at] of memory) if (now - at > COACH_WINDOW_MS) memory.delete(key);
  while (memory.size >= MAX_REMEMBERED) {
    const oldest = memory.keys().next().value;
    if (oldest === undefined) break;
    memory.delete(oldest);
  }
}

/** The memory's part of a decision: held once, the same key within the window passes. */
function decide(key: string, held: { tier: string; summary: string }, message: () => string, memory: CoachMemory, now: number): CoachVerdict {
  prune(memory, now);
  const warnedAt = memory.get(key);
  if (warnedAt !== undefined) {
    memory.delete(key);
    return { kind: 'chose', key, ...held, warnedAt };
  }
  memory.set(key, now);
  return { kind: 'hold', key, ...held, message: message() };
}

/**
 * The coach's decision for one call, updating `memory`: the first such call is held, the same
 * call within the window passes (and is forgotten, so a later one is held again).
 */
export function coachDecision(call: DockerCallBody, role: 'service' | 'sidecar', memory: CoachMemory, now: number): CoachVerdict {
  const held = coachHolds(call, role);
  if (!held) return { kind: 'pass' };
  return decide(coachKey(call), held, () => coachMessage(call, held.summary), memory, now);
}

/**
 * Whether the coach holds a line typed in an interactive shell inside a scenario service:
 * evidence-losing tiers (`kill 1`, `kill -9 -1`, `reboot`) and broad kills (`pkill -f
 * python`, `killall`), which can hit the main process. Judged by the same classifier the
 * score uses on the same line, so `kill -9 1` passes: the kernel drops SIGKILL sent to PID 1
 * from inside its namespace, and a warning about it would teach something false.
 */
export function coachHoldsLine(line: string, target: string, role: 'service' | 'sidecar'): { tier: string; summary: string } | null {
  if (role !== 'service' || line.trim() === '') return null;
  const c = classifyShell(line, { where: 'container', target });
  const losesEvidence = c.tier === 'state-losing' || c.tier === 'destructive';
  const broadKill = c.effects.some((e) => e.type === 'kill' && e.broad);
  return losesEvidence || broadKill ? { tier: c.tier, summary: c.summary } : null;
}

/** What the terminal shows when a typed line is held; the shell's line is cleared. */
export function coachLineMessage(target: string, summary: string): string {
  return (
    `${COACH_PREFIX}in ${target} this ${summary}; save what it shows now first ` +
    `(docker logs ${target} > ${target}.log, docker commit ${target}, or the /proc files of the process), ` +
    `or type the same command again within ${COACH_WINDOW_MS / 1000} s to do it anyway`
  );
}

/** The coach's decision for a line typed inside an exec, like coachDecision for calls. */
export function coachLineDecision(line: string, target: string, role: 'service' | 'sidecar', memory: CoachMemory, now: number): CoachVerdict {
  const held = coachHoldsLine(line, target, role);
  if (!held) return { kind: 'pass' };
  return decide(`typed ${target} ${line.trim()}`, held, () => coachLineMessage(target, held.summary), memory, now);
}
