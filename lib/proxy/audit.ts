/**
 * Audit events for proxied Docker calls: one DockerCallBody per request, in docker CLI words,
 * with the flags scoring cares about (tty, follow, no-stream, signal, ...) taken from the
 * checked query and body, never from the raw request.
 */
import type { DockerCallBody } from '../audit/events';
import { AUDIT_LIMITS, capCommand, capText } from './audit-budget';
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

/** Flags from the checked query: booleans and numbers typed. */
export function queryFlags(route: Route, query: CheckedQuery): Flags {
  const flags: Flags = {};
  for (const [key, value] of Object.entries(query)) {
    const rule = route.query[key];
    if (!rule) continue;
    if (rule.kind === 'bool') flags[key] = value === '1';
    else if (rule.kind === 'int' || /^\d{1,15}$/.test(value)) flags[key] = Number(value);
    else flags[key] = value; // capped when the event is stored (dockerCallEvent)
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

/** Flags as stored: text values capped (a learner's workdir or alias list can be long). */
function storedFlags(flags: Flags): Flags {
  const out: Flags = {};
  for (const [k, v] of Object.entries(flags)) out[k] = typeof v === 'string' ? capText(v, MAX_FLAG_TEXT) : v;
  return out;
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
  if (facts.target !== undefined) event.target = capText(facts.target, MAX_FLAG_TEXT);
  if (facts.targetId !== undefined) event.targetId = facts.targetId;
  if (facts.flags && Object.keys(facts.flags).length > 0) event.flags = storedFlags(facts.flags);
  if (facts.command) event.command = capCommand(facts.command, AUDIT_LIMITS.commandChars);
  if (!outcome.allowed) event.reason = capText(outcome.reason, AUDIT_LIMITS.reasonChars);
  return event;
}
