/**
 * From classified events to learner actions. One typed `docker exec api ps` produces a typed
 * line and three or four proxy calls (inspect, exec create, exec start, exec inspect); the
 * rules should see one action that cites all of them. Matching rules:
 *
 *   - A console line with docker parts opens an action that claims the proxy calls it would
 *     cause (its docker actions and their companions) for CLAIM_WINDOW_MS after it was typed.
 *     When several lines are open, the most recent one that expects the call claims it.
 *   - A proxy `inspect` followed within PREAMBLE_MS by another call on the same container is
 *     the CLI's own preamble (docker exec and docker logs inspect first): it joins that call.
 *   - Companion calls (exec start/inspect/resize, wait, archive stat) join the latest action
 *     on the same container.
 *   - A proxy call nobody claimed is an action of its own (the learner used an SDK or script).
 *   - Lines typed inside an exec are actions of their own; unfinished SQL lines join the line
 *     that completes the statement.
 *   - Console lines with no docker part ran only in the console and are not actions.
 */
import { type ClassifiedEvent, COMPANION_ACTIONS, commandText, flattenParts, maxTier, type PartClassification, proxiedAction, type Tier } from '../audit/classify';
import { callFailed, type DockerCallBody, type SessionEvent } from '../audit/events';
import type { Action } from './types';

export const CLAIM_WINDOW_MS = 15_000;
export const PREAMBLE_MS = 1_500;
const COMPANION_WINDOW_MS = 120_000;

/** Proxy actions a docker CLI subcommand causes, besides itself. */
const IMPLIED: Record<string, string[]> = {
  exec: ['exec', 'exec-create', 'exec-start', 'exec-inspect', 'exec-resize', 'resize', 'inspect'],
  run: ['run', 'create', 'container-create', 'start', 'attach', 'wait', 'resize', 'image-inspect', 'image-create', 'pull', 'rm'],
  create: ['create', 'container-create', 'image-inspect', 'image-create', 'pull'],
  logs: ['logs', 'inspect'],
  stats: ['stats', 'ps', 'list', 'containers', 'inspect', 'events'],
  attach: ['attach', 'inspect', 'resize', 'wait'],
  start: ['start', 'attach', 'wait', 'inspect'],
  'cp-out': ['cp-out', 'archive-get', 'archive-stat'],
  'cp-in': ['cp-in', 'archive-put', 'archive-stat'],
  // Without --type the CLI probes container, image, network, volume, then plugin.
  inspect: ['inspect', 'container-inspect', 'network-inspect', 'image-inspect', 'volume-inspect', 'plugin-inspect'],
  // The CLI reads the ports from the container's inspect.
  port: ['port', 'inspect'],
  top: ['top'],
  commit: ['commit'],
};

function expectedCalls(action: string): string[] {
  return IMPLIED[action] ?? [action];
}

/** Maps a container reference as typed ("sickbay-3f2a-api-1", "api") to a scenario service. */
export function resolveService(ref: string | undefined, services: readonly string[] = []): string | undefined {
  if (ref === undefined || ref === '') return undefined;
  if (ref === '*' || services.includes(ref)) return ref;
  const tokens = ref.toLowerCase().split(/[-_.]/);
  const byToken = services.filter((s) => tokens.includes(s.toLowerCase()));
  if (byToken.length === 1) return byToken[0];
  const bySuffix = services.filter((s) => new RegExp(`[-_.]${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([-_.]\\d+)?$`, 'i').test(ref));
  if (bySuffix.length >= 1) return bySuffix.sort((a, b) => b.length - a.length)[0];
  return ref;
}

interface OpenLine {
  action: Action;
  expects: Set<string>;
  mainCalls: Set<string>;
}

function labParts(parts: readonly PartClassification[]): PartClassification[] {
  return parts.filter((p) => p.scope !== 'console');
}

/** Builds the learner's actions from classified events, in time order. */
export function buildActions(events: readonly ClassifiedEvent[], opts: { services?: readonly string[] } = {}): Action[] {
  const services = opts.services ?? [];
  const sorted = [...events].sort((a, b) => a.event.t - b.event.t || a.event.id - b.event.id);
  const resolve = (ref: string | undefined) => resolveService(ref, services);

  // Preamble inspects: an inspect followed shortly by another call on the same container.
  const preambleOf = new Map<number, number>();
  const dockerEvents = sorted.filter((c) => c.event.kind === 'docker' && c.classification);
  dockerEvents.forEach((c, i) => {
    const e = c.event as DockerCallBody & SessionEvent;
    if (e.action !== 'inspect' && e.action !== 'container-inspect') return;
    const next = dockerEvents[i + 1]?.event as (DockerCallBody & SessionEvent) | undefined;
    if (!next || next.action === 'inspect' || next.t - e.t > PREAMBLE_MS) return;
    const same = (e.targetId && next.targetId === e.targetId) || (e.target && next.target === e.target);
    if (same) preambleOf.set(e.id, next.id);
  });

  const actions: Action[] = [];
  const open: OpenLine[] = [];
  const pendingPreamble = new Map<number, number[]>(); // next event id -> preamble ids
  const pendingSql = new Map<string, number[]>(); // exec target -> pending line ids

  const makeAction = (c: ClassifiedEvent, source: Action['source'], targets: string[], approximate: boolean): Action => {
    const cl = c.classification!;
    return {
      ids: [c.event.id],
      t: c.event.t,
      source,
      text: commandText(c.event),
      targets,
      classification: cl,
      tier: cl.tier,
      effective: true,
      failedIds: [],
      approximate,
    };
  };

  for (const c of sorted) {
    const cl = c.classification;
    const e = c.event;
    if (!cl) continue;

    if (e.kind === 'docker') {
      const preamble = preambleOf.get(e.id);
      if (preamble !== undefined) {
        pendingPreamble.set(preamble, [...(pendingPreamble.get(preamble) ?? []), e.id]);
        continue;
      }
      const call = proxiedAction(e);
      const extraIds = pendingPreamble.get(e.id) ?? [];
      // Claimed by a typed line?
      const claimer = [...open].reverse().find((o) => e.t - o.action.t <= CLAIM_WINDOW_MS && e.t - o.action.t >= -500 && o.expects.has(call));
      if (claimer) {
        claimer.action.ids.push(...extraIds, e.id);
        // A line that names its container through a shell variable (`docker exec $DBG …`, the id
        // of a debug sidecar kept from `docker run -d`) says where it acted only in the calls it
        // made: take the service they resolve to (a sidecar's call: the container it joined).
        // Not from a sidecar's own lifecycle calls (start, rm: companions): those act on the
        // sidecar, never on the container it joined.
        const acted = resolve(c.actsOn) ?? resolve(e.target) ?? resolve(e.targetId);
        if (acted && services.includes(acted) && !cl.companion) {
          claimer.action.targets = [...new Set(claimer.action.targets.map((x) => (x === '*' || services.includes(x) ? x : acted)))];
        }
        if (callFailed(e)) {
          claimer.action.failedIds.push(e.id);
          if (claimer.mainCalls.has(call)) claimer.action.effective = false;
        }
        // A proxy call can show more than an approximate line did.
        if (claimer.action.approximate && cl.tier !== 'unknown' && maxTier([cl.tier, claimer.action.tier]) !== claimer.action.tier) {
          claimer.action.tier = cl.tier;
          claimer.action.classification = { ...claimer.action.classification, tier: cl.tier, effects: [...claimer.action.classification.effects, ...cl.effects] };
        }
        continue;
      }
      if (cl.companion || COMPANION_ACTIONS.has(call)) {
        const owner = [...actions].reverse().find(
          (a) =>
            e.t - a.t <= COMPANION_WINDOW_MS &&
            (a.source === 'docker' || a.source === 'console') &&
            (a.targets.includes(resolve(e.target ?? e.targetId) ?? '') || a.targets.length === 0 || !(e.target ?? e.targetId)),
        );
        if (owner) {
          owner.ids.push(...extraIds, e.id);
          if (callFailed(e)) owner.failedIds.push(e.id);
        }
        continue;
      }
      // A sidecar's run acts on the container it joined, not on the sidecar itself.
      const target = resolve(c.actsOn) ?? resolve(e.target) ?? resolve(e.targetId);
      const a = makeAction(c, 'docker', target ? [target] : cl.targets.map((x) => resolve(x) ?? x), false);
      a.ids = [...extraIds, e.id];
      if (callFailed(e)) {
        a.effective = false;
        a.failedIds.push(e.id);
      }
      actions.push(a);
      continue;
    }

    if (e.kind === 'typed') {
      if (e.where === 'console') {
        const lab = labParts(cl.parts);
        if (lab.length === 0) continue;
        const a = makeAction(c, 'console', [...new Set(cl.targets.map((x) => resolve(x) ?? x))], e.approximate);
        actions.push(a);
        const docker = flattenParts(cl).filter((p) => p.scope === 'docker' && p.dockerAction);
        const expects = new Set(docker.flatMap((p) => expectedCalls(p.dockerAction as string)));
        const mainCalls = new Set(docker.map((p) => p.dockerAction as string));
        if (mainCalls.has('exec')) mainCalls.add('exec-create');
        if (mainCalls.has('run')) mainCalls.add('create');
        open.push({ action: a, expects, mainCalls });
        continue;
      }
      const key = e.target ?? '';
      if (cl.pending) {
        pendingSql.set(key, [...(pendingSql.get(key) ?? []), e.id]);
        continue;
      }
      const where = c.actsOn ?? e.target;
      const a = makeAction(c, 'exec', where ? [resolve(where) ?? where] : [], e.approximate);
      const pending = pendingSql.get(key);
      if (pending) {
        a.ids = [...pending, e.id];
        const first = sorted.find((x) => x.event.id === pending[0]);
        if (first) a.t = first.event.t;
        pendingSql.delete(key);
      }
      actions.push(a);
    }
  }
  return actions.sort((a, b) => a.t - b.t || (a.ids[0] ?? 0) - (b.ids[0] ?? 0));
}

/* ------------------------------------------------------------ predicates the rules share */

/** The parts of an action that touch the lab, flattened through docker exec / bash -c. */
export function actionParts(a: Action): PartClassification[] {
  return flattenParts(a.classification).filter((p) => p.scope !== 'console');
}

/** Top-level lab parts in execution order (what ran, in order, for this action). */
export function orderedParts(a: Action): PartClassification[] {
  return a.classification.parts.filter((p) => p.scope !== 'console');
}

export function hasTier(a: Action, tier: Tier): boolean {
  return a.tier === tier || orderedParts(a).some((p) => p.tier === tier);
}

export function affects(a: Action, services: readonly string[]): boolean {
  if (a.targets.length === 0 || a.targets.includes('*')) return true;
  return a.targets.some((t) => services.includes(t));
}

/** Did this action run inside a container (exec, typed in an exec, sidecar)? */
export function isInside(a: Action): boolean {
  if (a.source === 'exec') return true;
  return orderedParts(a).some((p) => p.scope === 'container' || p.dockerAction === 'exec' || p.dockerAction === 'attach' || p.tier === 'sidecar');
}

/** The rules' notes write times like every page does (lib/display/clock.ts). */
import { formatClock } from '../display/clock';
export { formatClock };

/**
 * `"docker restart api" at 0:12`: the command and its time on the session clock. Event numbers
 * stay in the citations (the report links them), never in the words a learner reads.
 */
export function cite(a: Action): string {
  const text = a.text.length > 80 ? `${a.text.slice(0, 77)}...` : a.text;
  return a.sinceReady === undefined ? `"${text}"` : `"${text}" at ${formatClock(a.sinceReady)}`;
}
