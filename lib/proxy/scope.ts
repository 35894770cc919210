/**
 * What "the session's own" means, as pure predicates. An object is the session's when it
 * carries BOTH sickbay.session=<id> and sickbay.instance=<instance>: image labels are inherited
 * by containers, so sickbay.managed-by alone proves nothing, and two Sickbay instances on one
 * engine may use the same session id. The lab's own containers in a session are never shown:
 * the learner's console and the customers container, whose per-second reports score the
 * session (docs/security.md, "The customer signal").
 */
import { LABEL } from '../lifecycle/labels';
import { inSession, sessionPrefix, scopeLabelFilters, type SessionScope } from '../lifecycle/objects';
import { isJsonObject, parseStrictJson } from './json';
import { refuse } from './refusal';

export type { SessionScope };
export { scopeLabelFilters, sessionPrefix };
export type Labels = Readonly<Record<string, string>> | null | undefined;

export function isConsole(labels: Labels): boolean {
  return labels?.[LABEL.role] === 'console';
}

/** The lab's own containers in a session: the console and the customers. */
export function isLabOwned(labels: Labels): boolean {
  return isConsole(labels) || labels?.[LABEL.role] === 'customers';
}

/** True for objects the learner may see and touch through the proxy: the session's, never the lab's own. */
export function isOwned(labels: Labels, scope: SessionScope): boolean {
  return inSession(labels, scope) && !isLabOwned(labels);
}

/** The scenario's name for a container, for the audit log: its service, else its short name. */
export function targetName(labels: Labels, name: string | undefined, scope: SessionScope): string | undefined {
  const service = labels?.[LABEL.service];
  if (service) return service;
  if (!name) return undefined;
  const bare = name.replace(/^\//, '');
  return bare.startsWith(sessionPrefix(scope)) ? bare.slice(sessionPrefix(scope).length) : bare;
}

/** Filter keys whose values the engine only compares (never looks up, so never an oracle). */
export const FILTER_KEYS = {
  containers: ['id', 'name', 'label', 'status', 'exited', 'health', 'network', 'expose', 'publish', 'is-task'],
  networks: ['id', 'name', 'label', 'driver', 'type', 'scope', 'dangling'],
  events: ['container', 'event', 'type', 'label', 'image'],
  images: ['reference', 'label', 'dangling'],
} as const;

export type Filters = Record<string, Record<string, boolean>>;

/**
 * Parses a `filters` query value, accepting both of Docker's shapes ({"k":["v"]} and
 * {"k":{"v":true}}) and only the given filter keys.
 */
export function parseFilters(raw: string | undefined, allowedKeys: readonly string[]): Filters {
  const out: Filters = {};
  if (raw === undefined || raw === '') return out;
  const parsed = parseStrictJson(raw);
  if (!isJsonObject(parsed)) throw refuse('filters must be a JSON object');
  for (const [key, value] of Object.entries(parsed)) {
    if (!allowedKeys.includes(key)) throw refuse(`filter "${key}" is not accepted here (allowed: ${allowedKeys.join(', ')})`);
    const values: string[] = [];
    if (Array.isArray(value)) {
      for (const v of value) {
        if (typeof v !== 'string') throw refuse(`filter "${key}" values must be strings`);
        values.push(v);
      }
    } else if (isJsonObject(value)) {
      for (const [v, on] of Object.entries(value)) {
        if (typeof on !== 'boolean') throw refuse(`filter "${key}" values must be strings`);
        values.push(v);
      }
    } else {
      throw refuse(`filter "${key}" must be a list of strings`);
    }
    if (values.length > 32 || values.some((v) => v.length > 256)) throw refuse(`filter "${key}" has too many or too long values`);
    out[key] = Object.fromEntries(values.map((v) => [v, true]));
  }
  return out;
}

/**
 * Rebuilds a `filters` query value with the session's label filters added. Docker ANDs label
 * filters, so adding ours can only narrow what the learner asked for. The current filter
 * shape is forwarded whatever shape came in.
 */
export function forceLabelFilters(raw: string | undefined, scope: SessionScope, allowedKeys: readonly string[]): string {
  const filters = parseFilters(raw, allowedKeys);
  filters.label = { ...(filters.label ?? {}), ...Object.fromEntries(scopeLabelFilters(scope).map((l) => [l, true])) };
  return JSON.stringify(filters);
}
