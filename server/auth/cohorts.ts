/**
 * Cohorts: a facilitator creates one and adds learners; its facilitators watch its learners'
 * sessions (lib/auth/access.ts). Admins see and change every cohort; a facilitator only the
 * cohorts they facilitate.
 */
import { SickbayError } from '@/lib/errors';
import type { WatchLink } from '@/lib/auth/access';
import type { Db } from '../store/db';
import { newId } from './secrets';

export type CohortRole = 'facilitator' | 'learner';

export interface Cohort {
  id: string;
  name: string;
  createdBy: string;
  createdAt: string;
  members: { userId: string; email: string | null; name: string; role: CohortRole }[];
}

export class CohortStore {
  constructor(
    private readonly db: Db,
    private readonly clock: () => number,
  ) {}

  create(name: string, facilitatorId: string): Cohort {
    const id = newId();
    const now = this.clock();
    this.db.transaction(() => {
      this.db.prepare('INSERT INTO cohorts (id, name, created_by, created_at) VALUES (?, ?, ?, ?)').run(id, name, facilitatorId, now);
      this.db.prepare(`INSERT INTO cohort_members (cohort_id, user_id, role, added_at) VALUES (?, ?, 'facilitator', ?)`).run(id, facilitatorId, now);
    })();
    return this.require(id);
  }

  get(id: string): Cohort | null {
    const row = this.db.prepare('SELECT * FROM cohorts WHERE id = ?').get(id) as { id: string; name: string; created_by: string; created_at: number } | undefined;
    if (!row) return null;
    const members = this.db
      .prepare(
        `SELECT m.user_id, m.role, u.email, u.name FROM cohort_members m JOIN users u ON u.id = m.user_id
         WHERE m.cohort_id = ? ORDER BY m.role, u.email`,
      )
      .all(id) as { user_id: string; role: CohortRole; email: string | null; name: string }[];
    return {
      id: row.id,
      name: row.name,
      createdBy: row.created_by,
      createdAt: new Date(row.created_at).toISOString(),
      members: members.map((m) => ({ userId: m.user_id, email: m.email, name: m.name, role: m.role })),
    };
  }

  require(id: string): Cohort {
    const cohort = /^[0-9a-f]{16}$/.test(id) ? this.get(id) : null;
    if (!cohort) throw new SickbayError('not_found', `no cohort ${JSON.stringify(id.slice(0, 40))}`);
    return cohort;
  }

  /** Every cohort (admins), or those the user facilitates. */
  list(facilitatorId: string | null): Cohort[] {
    const ids = (
      facilitatorId === null
        ? this.db.prepare('SELECT id FROM cohorts ORDER BY created_at').all()
        : this.db
            .prepare(`SELECT c.id FROM cohorts c JOIN cohort_members m ON m.cohort_id = c.id WHERE m.user_id = ? AND m.role = 'facilitator' ORDER BY c.created_at`)
            .all(facilitatorId)
    ) as { id: string }[];
    return ids.map((r) => this.require(r.id));
  }

  isFacilitator(cohortId: string, userId: string): boolean {
    return this.db.prepare(`SELECT 1 FROM cohort_members WHERE cohort_id = ? AND user_id = ? AND role = 'facilitator'`).get(cohortId, userId) !== undefined;
  }

  setMember(cohortId: string, userId: string, role: CohortRole): void {
    this.db
      .prepare('INSERT INTO cohort_members (cohort_id, user_id, role, added_at) VALUES (?, ?, ?, ?) ON CONFLICT (cohort_id, user_id) DO UPDATE SET role = excluded.role')
      .run(cohortId, userId, role, this.clock());
  }

  removeMember(cohortId: string, userId: string): void {
    const changes = this.db.prepare('DELETE FROM cohort_members WHERE cohort_id = ? AND user_id = ?').run(cohortId, userId).changes;
    if (changes === 0) throw new SickbayError('not_found', 'that user is not in this cohort');
  }

  remove(cohortId: string): void {
    this.db.prepare('DELETE FROM cohorts WHERE id = ?').run(cohortId);
  }

  /** The cohort ties of a watcher: each learner in a cohort the watcher facilitates. */
  watchLinks(watcherId: string): WatchLink[] {
    const rows = this.db
      .prepare(
        `SELECT l.cohort_id, l.user_id FROM cohort_members f JOIN cohort_members l ON l.cohort_id = f.cohort_id
         WHERE f.user_id = ? AND f.role = 'facilitator' AND l.role = 'learner'`,
      )
      .all(watcherId) as { cohort_id: string; user_id: string }[];
    return rows.map((r) => ({ via: 'cohort', ref: r.cohort_id, watcherId, learnerId: r.user_id }));
  }
}
