/**
 * Audit events for proxied Docker calls: one DockerCallBody per request, in docker CLI words,
 * with the flags scoring cares about (tty, follow, no-stream, signal, ...) taken from the
 * checked query and body, never from the raw request.
 */
import type { DockerCallBody } from '../audit/events';
import type { CheckedQuery } from './query';
import type { Route } from './routes';

export type Flags = Record<string, string | number | boolean>;

export interface CallFacts {
  action: string;
  method: string;
  path: string;
  target?: string;
  targetId?: string;
  flags?: Flags;
  command?: string[];
}

export type Outcome = { allowed: true; status: number } | { allowed: false; status: number; reason: string };

const MAX_FLAG_TEXT = 256;

/** Flags from the checked query: booleans and numbers typed, text capped. */
export function queryFlags(route: Route, query: CheckedQuery): Flags {
  const flags: Flags = {};
  for (const [key, value] of Object.entries(query)) {
    const rule = route.query[key];
    if (!rule) continue;
    if (rule.kind === 'bool') flags[key] = value === '1';
    else if (rule.kind === 'int' || /^\d{1,15}$/.test(value)) flags[key] = Number(value);
    else flags[key] = value.length > MAX_FLAG_TEXT ? `${value.slice(0, MAX_FLAG_TEXT)}…` : value;
  }
  if (route.action === 'stats') {
    // `docker stats --no-stream` sends stream=0; absent means streaming.
    const streaming = query.stream === undefined || query.stream === '1';
    delete flags.stream;
    if (streaming) flags.stream = true;
    else flags['no-stream'] = true;
  }
  if (route.action === 'cp') flags.direction = route.method === 'PUT' ? 'in' : route.method === 'GET' ? 'out' : 'stat';
  return flags;
}

export function dockerCallEvent(facts: CallFacts, outcome: Outcome): DockerCallBody {
  const event: DockerCallBody = {
    kind: 'docker',
    action: facts.action,
    method: facts.method,
    path: facts.path.length > 512 ? `${facts.path.slice(0, 512)}…` : facts.path,
    allowed: outcome.allowed,
    status: outcome.status,
  };
  if (facts.target !== undefined) event.target = facts.target;
  if (facts.targetId !== undefined) event.targetId = facts.targetId;
  if (facts.flags && Object.keys(facts.flags).length > 0) event.flags = facts.flags;
  if (facts.command) event.command = facts.command;
  if (!outcome.allowed) event.reason = outcome.reason;
  return event;
}
