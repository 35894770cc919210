/**
 * The store: sessions and their append-only event log, in SQLite. Every write is its own
 * committed transaction, so a crash loses nothing that a caller was told had happened.
 * The session row (session-row.ts), the event log (events.ts) and the history query
 * (history.ts) live beside it; this class is the one door callers use.
 */
import type { SessionEvent, SessionEventInput } from '@/lib/audit/events';
import { SickbayError } from '@/lib/errors';
import { canTransition, LIVE_STATUSES, type SessionStatus } from '@/lib/lifecycle/status';
import type { ContainerState } from '@/lib/runtime/container';
import { openDatabase, type Db } from './db';
import { appendEvent, listEvents, listEventsOfKind } from './events';
import { listHistory, type HistoryEntry } from './history';
import { SELECT_SESSION, toRecord, type SessionRecord, type SessionRow } from './session-row';

export type { SessionRecord } from './session-row';
export type { HistoryTeam, StoredReportSummary } from './history';

/** Who a session is started or claimed for, and in which mode (coach or exam): written with the row. */
export interface SessionHolder {
  ownerId: string;
  coach: boolean;
}

/** Pool refills and tests: the local user, exam mode (a learner's claim sets both). */
const NO_HOLDER: SessionHolder = { ownerId: 'local', coach: false };

const LIVE_IN = `status IN (${LIVE_STATUSES.map((s) => `'${s}'`).join(', ')})`;

/**
 * A failed write as the caller should see it. SQLite rolls the statement (or transaction)
 * back, so nothing half-written stays; a full disk is the learner-visible case worth naming.
 */
export function storeWriteError(err: unknown, dataDir: string): unknown {
  const code = (err as { code?: unknown }).code;
  if (code === 'SQLITE_FULL') {
    return new SickbayError('storage_full', `the data directory (${dataDir}) is full: nothing was saved; free some space and try again`, { cause: err });
  }
  if (typeof code === 'string' && code.startsWith('SQLITE_IOERR')) {
    return new SickbayError('internal', `the store could not write to ${dataDir} (${code}): nothing was saved`, { cause: err });
  }
  return err;
}

export class Store {
  readonly db: Db;

  constructor(private readonly dataDir: string) {
    this.db = openDatabase(dataDir);
  }

  /** Runs several writes as one transaction: all of them are committed, or none. */
  atomically<T>(fn: () => T): T {
    return this.write(() => this.db.transaction(fn)());
  }

  /** Runs a write; a full disk becomes a clear storage_full error (nothing was committed). */
  private write<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw storeWriteError(err, this.dataDir);
    }
  }

  close(): void {
    this.db.close();
  }

  insertSession(input: {
    id: string;
    scenario: string;
    seed: string;
    params: Record<string, unknown>;
    now: number;
    expiresAt: number;
    pooled?: boolean;
    holder?: SessionHolder;
    /** Stop at `held` once provisioned, until released (team drills). */
    hold?: boolean;
  }): SessionRecord {
    const holder = input.holder ?? NO_HOLDER;
    return this.write(() => {
      this.db
        .prepare(
          `INSERT INTO sessions (id, scenario, seed, status, params, created_at, expires_at, updated_at, pooled, owner_id, coach, hold)
           VALUES (@id, @scenario, @seed, 'queued', @params, @now, @expiresAt, @now, @pooled, @ownerId, @coach, @hold)`,
        )
        .run({
          id: input.id,
          scenario: input.scenario,
          seed: input.seed,
          now: input.now,
          expiresAt: input.expiresAt,
          params: JSON.stringify(input.params),
          pooled: input.pooled ? 1 : 0,
          ownerId: holder.ownerId,
          coach: holder.coach ? 1 : 0,
          hold: input.hold ? 1 : 0,
        });
      return this.requireSession(input.id);
    });
  }

  /**
   * Hands the oldest ready pooled session of a scenario (that `accept` takes) to a learner, atomically: it stops
   * being pooled, takes the holder's owner and mode, and its ready time (the clock the protocol's timeline
   * runs on) becomes now.
   */
  claimPooled(scenario: string, now: number, expiresAt: number, holder: SessionHolder = NO_HOLDER, accept: (candidate: SessionRecord) => boolean = () => true): SessionRecord | null {
    return this.write(() => {
      return this.db.transaction(() => {
        // Oldest first; `accept` may pass over one (a new culprit was asked for and it has an old one).
        const ids = this.db
          .prepare(`SELECT id FROM sessions WHERE scenario = ? AND pooled = 1 AND status = 'ready' ORDER BY ready_at`)
          .all(scenario) as { id: string }[];
        const row = ids.find(({ id }) => accept(this.requireSession(id)));
        if (!row) return null;
        this.db
          .prepare('UPDATE sessions SET pooled = 0, owner_id = @ownerId, coach = @coach, ready_at = @now, expires_at = @expiresAt, updated_at = @now WHERE id = @id')
          .run({ id: row.id, now, expiresAt, ownerId: holder.ownerId, coach: holder.coach ? 1 : 0 });
        return this.requireSession(row.id);
      })();
    });
  }

  /** Sessions that hold resources (being created, provisioned or ready), pooled ones included. */
  countLive(): number {
    const row = this.db.prepare(`SELECT COUNT(*) AS n FROM sessions WHERE ${LIVE_IN}`).get() as { n: number };
    return row.n;
  }

  /** A user's sessions that hold resources (the per-user limit). */
  countLiveOwnedBy(ownerId: string): number {
    const row = this.db.prepare(`SELECT COUNT(*) AS n FROM sessions WHERE owner_id = ? AND pooled = 0 AND ${LIVE_IN}`).get(ownerId) as { n: number };
    return row.n;
  }

  /** Sessions a user started (or took from the pool) since a moment (the per-user start rate). */
  countStartedBy(ownerId: string, since: number): number {
    const row = this.db
      .prepare('SELECT COUNT(*) AS n FROM sessions WHERE owner_id = ? AND pooled = 0 AND (created_at >= ? OR ready_at >= ?)')
      .get(ownerId, since, since) as { n: number };
    return row.n;
  }

  /** Pooled sessions of a scenario that are ready or on their way. */
  countPooled(scenario: string): number {
    const row = this.db
      .prepare(`SELECT COUNT(*) AS n FROM sessions WHERE scenario = ? AND pooled = 1 AND ${LIVE_IN}`)
      .get(scenario) as { n: number };
    return row.n;
  }

  getSession(id: string): SessionRecord | null {
    const row = this.db.prepare(`${SELECT_SESSION} WHERE id = ?`).get(id) as SessionRow | undefined;
    return row ? toRecord(row) : null;
  }

  requireSession(id: string): SessionRecord {
    const s = this.getSession(id);
    if (!s) throw new SickbayError('not_found', `no session ${id}`);
    return s;
  }

  /** Status and idle deadline of the given sessions (unknown ids are left out): a cheap read for the sweeper. */
  sessionStates(ids: readonly string[]): Map<string, { status: SessionStatus; expiresAt: number }> {
    const out = new Map<string, { status: SessionStatus; expiresAt: number }>();
    const unique = [...new Set(ids)];
    for (let i = 0; i < unique.length; i += 500) {
      const chunk = unique.slice(i, i + 500);
      const rows = this.db
        .prepare(`SELECT id, status, expires_at FROM sessions WHERE id IN (${chunk.map(() => '?').join(',')})`)
        .all(...chunk) as { id: string; status: SessionStatus; expires_at: number }[];
      for (const r of rows) out.set(r.id, { status: r.status, expiresAt: r.expires_at });
    }
    return out;
  }

  /** Sessions, newest first; pooled ones only when asked for (they belong to no learner yet). */
  listSessions(
    options: { statuses?: readonly SessionStatus[]; limit?: number; includePooled?: boolean; owners?: readonly string[]; ids?: readonly string[] } = {},
  ): SessionRecord[] {
    const limit = options.limit ?? 500;
    const where: string[] = [];
    const args: unknown[] = [];
    if (options.statuses?.length) {
      where.push(`status IN (${options.statuses.map(() => '?').join(',')})`);
      args.push(...options.statuses);
    }
    if (!options.includePooled) where.push('pooled = 0');
    // Owners and single sessions widen each other (a learner's own plus those they watch).
    if (options.owners || options.ids) {
      const owners = options.owners ?? [];
      const ids = options.ids ?? [];
      const any = [owners.length ? `owner_id IN (${owners.map(() => '?').join(',')})` : '', ids.length ? `id IN (${ids.map(() => '?').join(',')})` : ''].filter(Boolean);
      where.push(any.length ? `(${any.join(' OR ')})` : '0');
      args.push(...owners, ...ids);
    }
    const rows = this.db
      .prepare(`${SELECT_SESSION} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC LIMIT ?`)
      .all(...args, limit) as SessionRow[];
    return rows.map(toRecord);
  }

  /** Moves a session to a new status if the lifecycle allows it; returns false otherwise. */
  transition(id: string, to: SessionStatus, now: number, detail?: string): boolean {
    return this.write(() => {
      return this.db.transaction(() => {
        const s = this.requireSession(id);
        if (!canTransition(s.status, to)) return false;
        this.db
          .prepare(
            `UPDATE sessions SET status = @to, status_detail = COALESCE(@detail, status_detail), updated_at = @now,
               ready_at = CASE WHEN @to = 'ready' THEN @now ELSE ready_at END,
               ended_at = CASE WHEN @to IN ('ended', 'failed') THEN @now ELSE ended_at END
             WHERE id = @id`,
          )
          .run({ id, to, now, detail: detail ?? null });
        this.appendEvent(id, { kind: 'lifecycle', status: to, ...(detail ? { detail } : {}) }, now);
        return true;
      })();
    });
  }

  setContainers(id: string, containers: Record<string, string>, now: number): void {
    return this.write(() => {
      this.db.prepare('UPDATE sessions SET containers = ?, updated_at = ? WHERE id = ?').run(JSON.stringify(containers), now, id);
    });
  }

  setBaseline(id: string, baseline: Record<string, ContainerState>, now: number): void {
    return this.write(() => {
      this.db.prepare('UPDATE sessions SET baseline = ?, updated_at = ? WHERE id = ?').run(JSON.stringify(baseline), now, id);
    });
  }

  setConsole(id: string, input: { consoleId: string; terminalToken: string; mirrorToken: string; recordingPath: string }, now: number): void {
    return this.write(() => {
      this.db
        .prepare('UPDATE sessions SET console_id = ?, terminal_token = ?, mirror_token = ?, recording_path = ?, updated_at = ? WHERE id = ?')
        .run(input.consoleId, input.terminalToken, input.mirrorToken, input.recordingPath, now, id);
    });
  }

  /** Stores a session's report once; a second save for the same session is refused. */
  saveReport(sessionId: string, report: { ruleSetVersion: string; classifierVersion: number }, now: number): void {
    return this.write(() => {
      this.db
        .prepare('INSERT INTO reports (session_id, rule_set_version, classifier_version, created_at, report) VALUES (?, ?, ?, ?, ?)')
        .run(sessionId, report.ruleSetVersion, report.classifierVersion, now, JSON.stringify(report));
    });
  }

  getReport<T>(sessionId: string): T | null {
    const row = this.db.prepare('SELECT report FROM reports WHERE session_id = ?').get(sessionId) as { report: string } | undefined;
    return row ? (JSON.parse(row.report) as T) : null;
  }

  /** A user's sessions: those they own and the team sessions they were a member of (with `team`). */
  listHistory(options: { ownerId: string; limit?: number }): HistoryEntry[] {
    return listHistory(this.db, options);
  }

  /** Pushes the idle deadline forward (never backward). */
  extendExpiry(id: string, expiresAt: number): void {
    return this.write(() => {
      this.db.prepare('UPDATE sessions SET expires_at = MAX(expires_at, ?) WHERE id = ?').run(expiresAt, id);
    });
  }

  appendEvent(sessionId: string, body: SessionEventInput, now: number): SessionEvent {
    return this.write(() => appendEvent(this.db, sessionId, body, now));
  }

  listEvents(sessionId: string, afterId = 0): SessionEvent[] {
    return listEvents(this.db, sessionId, afterId);
  }

  /** One kind of a session's events (a read on every poll need not parse the whole log). */
  listEventsOfKind<K extends SessionEvent['kind']>(sessionId: string, kind: K): Extract<SessionEvent, { kind: K }>[] {
    return listEventsOfKind(this.db, sessionId, kind);
  }
}
