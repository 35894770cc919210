/**
 * Classifies a session's log in order. Most events stand alone; lines typed inside an
 * interactive exec are joined to what runs there: while that exec (or a shell inside it) runs
 * psql, its lines are SQL, and a statement spread over several lines is classified once, at
 * the line that ends it.
 */
import { type Classification, combineParts } from './classification';
import { classifyShell } from './command';
import { classifyDockerCall } from './docker-call';
import { callFailed, type SessionEvent } from './events';
import { quoteArgv } from './shell';
import { looksLikeSql, splitSql } from './sql';

/** A session event with its classification (null for events that are not learner actions). */
export interface ClassifiedEvent {
  event: SessionEvent;
  classification: Classification | null;
  /**
   * The container the event really acts on when it is not the event's own target: a debug
   * sidecar's run, and what is typed or exec'd in the sidecar, act in the namespaces of the
   * container it joined (the proxy logs the sidecar's own name as the target).
   */
  actsOn?: string;
}

/** Calls on a debug sidecar itself that only run, attach to or clean up that sidecar. */
const SIDECAR_LIFECYCLE = new Set(['start', 'attach', 'wait', 'resize', 'inspect', 'rm', 'remove', 'stop', 'kill']);

/** The container a sidecar run/create joined, from its classification. */
function sidecarJoin(c: Classification): string | undefined {
  for (const e of c.effects) if (e.type === 'sidecar') return e.joins;
  return undefined;
}

function opensSql(c: Classification): boolean {
  return c.tier === 'interactive' && c.effects.some((e) => e.type === 'shell' && /^(psql|mysql|mariadb|sqlite3)$/.test(e.program));
}

function opensShell(c: Classification): boolean {
  return c.effects.some((e) => e.type === 'shell' && !/^(psql|mysql|mariadb|sqlite3|attach)$/.test(e.program));
}

/**
 * Classifies a session's events in order. Lines typed inside an interactive exec are read as
 * SQL while that exec (or a shell inside it) runs psql, until \q: a multi-line statement is
 * classified once, at the line that ends it with ";"; the earlier lines are marked pending.
 */
export function classifyEvents(events: readonly SessionEvent[]): ClassifiedEvent[] {
  const mode = new Map<string, 'sql' | 'shell'>();
  const buffer = new Map<string, string>();
  const out: ClassifiedEvent[] = [];
  // Debug sidecars by their own name and id -> the container whose namespaces they joined.
  const sidecars = new Map<string, string>();
  const joinedBy = (ref: string | undefined) => (ref === undefined ? undefined : sidecars.get(ref));
  for (const event of events) {
    if (event.kind === 'docker') {
      let c = classifyDockerCall(event);
      const joins = sidecarJoin(c);
      if (joins && !callFailed(event) && /^(run|create|container-create)$/.test(event.action)) {
        if (event.target) sidecars.set(event.target, joins);
        if (event.targetId) sidecars.set(event.targetId, joins);
      }
      const inSidecar = joinedBy(event.target) ?? joinedBy(event.targetId);
      if (inSidecar && (event.action === 'exec' || event.action === 'exec-create') && (event.command ?? []).length > 0) {
        // An exec in a sidecar runs in the joined container's namespaces.
        c = classifyDockerCall({ ...event, target: inSidecar });
      }
      if (inSidecar && SIDECAR_LIFECYCLE.has(event.action)) {
        // Starting, attaching to or removing one's own debug sidecar only completes its run:
        // it neither opens a shell in the lab nor changes what is being debugged.
        c = { ...c, companion: true };
      }
      const actsOn = joins ?? inSidecar;
      const key = event.target ?? event.targetId ?? '';
      if (event.allowed && (event.action === 'exec' || event.action === 'exec-create')) {
        if (opensSql(c)) mode.set(key, 'sql');
        else if (opensShell(c)) mode.set(key, 'shell');
      }
      out.push({ event, classification: c, ...(actsOn ? { actsOn } : {}) });
      continue;
    }
    if (event.kind !== 'typed') {
      out.push({ event, classification: null });
      continue;
    }
    if (event.where === 'console') {
      out.push({ event, classification: classifyShell(event.line, { where: 'console' }) });
      continue;
    }
    const key = event.target ?? '';
    // A line typed in an interactive sidecar acts on the container the sidecar joined.
    const joined = joinedBy(event.target);
    const target = joined ?? event.target;
    const extra = joined ? { actsOn: joined } : {};
    const line = event.line;
    const trimmed = line.trim();
    let current = mode.get(key) ?? 'shell';
    if (current === 'shell' && looksLikeSql(trimmed) && splitSql(trimmed).unterminated && !trimmed.startsWith('\\')) current = 'sql';
    if (current === 'sql') {
      if (/^(\\q|\\quit|quit|exit)\s*;?$/i.test(trimmed) && !(buffer.get(key) ?? '').trim()) {
        mode.set(key, 'shell');
        out.push({ event, classification: { ...combineParts([], { emptySummary: 'leaves psql' }), tier: 'read-only' }, ...extra });
        continue;
      }
      mode.set(key, 'sql');
      const text = `${buffer.get(key) ?? ''}${buffer.has(key) ? '\n' : ''}${line}`;
      const split = splitSql(text);
      if (split.unterminated && !trimmed.startsWith('\\') && !/^\\/.test(text.trim())) {
        buffer.set(key, text);
        const pending = combineParts([], { emptySummary: 'part of an SQL statement (psql runs it at the ";")' });
        out.push({ event, classification: { ...pending, tier: 'read-only', pending: true, targets: target ? [target] : [] }, ...extra });
        continue;
      }
      buffer.delete(key);
      out.push({ event, classification: classifyShell(text, { where: 'container', target, mode: 'sql' }), ...extra });
      continue;
    }
    const c = classifyShell(line, { where: 'container', target });
    if (opensSql(c)) mode.set(key, 'sql');
    if (/^(exit|logout)\b/.test(trimmed)) mode.delete(key);
    out.push({ event, classification: c, ...extra });
  }
  return out;
}

/** The text a person would recognise for an event: the typed line or a docker-CLI-like line. */
export function commandText(event: SessionEvent): string {
  if (event.kind === 'typed') return event.line;
  if (event.kind === 'docker') {
    const cmd = event.command && event.command.length > 0 ? ` ${quoteArgv(event.command)}` : '';
    return `docker ${event.action}${event.target ? ` ${event.target}` : event.targetId ? ` ${event.targetId.slice(0, 12)}` : ''}${cmd}`;
  }
  return event.kind;
}
