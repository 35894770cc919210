/**
 * "The session's objects", defined once. Every Docker object of a session is named
 * sickbay-<session>-<name> and carries BOTH sickbay.session=<id> and sickbay.instance=<instance>:
 * image labels are inherited by containers, so sickbay.managed-by alone proves nothing, and two
 * Sickbay instances on one engine may draw the same session id. Teardown, the console and the
 * proxy all select a session's objects through these functions.
 */
import { LABEL, MANAGED_BY } from './labels';

export interface SessionScope {
  sessionId: string;
  instance: string;
}

/** The prefix of every object name of a session (given its id or its scope). */
export function sessionPrefix(session: string | { sessionId: string }): string {
  return `sickbay-${typeof session === 'string' ? session : session.sessionId}-`;
}

/** A session's container or network, by the scenario's name for it (`api`, `console`, `backend`). */
export function objectName(sessionId: string, name: string): string {
  return `${sessionPrefix(sessionId)}${name}`;
}

/** Where the learner's `docker commit` snapshots of a session go (one repository per session). */
export function snapshotRepository(sessionId: string): string {
  return `sickbay-snapshot/${sessionId}`;
}

/** The label filters that select a session's objects (Docker ANDs label filters). */
export function scopeLabelFilters(scope: SessionScope): string[] {
  return [`${LABEL.session}=${scope.sessionId}`, `${LABEL.instance}=${scope.instance}`];
}

/** The Docker list filter for every object of one session of this instance. */
export function sessionFilter(scope: SessionScope): { label: string[] } {
  return { label: [`${LABEL.managedBy}=${MANAGED_BY}`, ...scopeLabelFilters(scope)] };
}

/** True when labels put an object in the session (console included; the proxy hides that one). */
export function inSession(labels: Readonly<Record<string, string>> | null | undefined, scope: SessionScope): boolean {
  return !!labels && labels[LABEL.session] === scope.sessionId && labels[LABEL.instance] === scope.instance;
}
