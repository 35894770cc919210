/**
 * Drills in SQLite: the drill, its teams (each with its seed, the one session it works in and
 * that session's owner, the team's first member) and who joined which team. The join code is
 * unique; attaching a team's session is a single UPDATE ... WHERE session_id IS NULL (or a dead
 * one), so two members joining at once cannot start two sessions for one team.
 */
import crypto from 'node:crypto';
import { SickbayError } from '@/lib/errors';
import type { WatchLink } from '@/lib/auth/access';
import { joinCode, teamSeed, type DrillMode, type SeedMode } from '@/lib/drills/rules';
import type { Db } from '../store/db';
import { newId } from '../auth/secrets';

export interface DrillMember {
  userId: string;
  name: string;
  email: string | null;
  joinedAt: string;
}

export interface DrillTeam {
  id: string;
  name: string;
  seed: string;
  sessionId: string | null;
  /** Owns the team's session (its first member); the others watch it (WatchLink via 'drill'). */
  ownerId: string | null;
  members: DrillMember[];
}

export interface Drill {
  id: string;
  name: string;
  scenario: string;
  seed: string;
  seedMode: SeedMode;
  mode: DrillMode;
  timeLimitMin: number;
  code: string;
  createdBy: string;
  createdAt: string;
  /** The one ready time of every team's session (Start); null in the lobby. */
  startedAt: string | null;
  endedAt: string | null;
  rerunOf: string | null;
  teams: DrillTeam[];
}

export interface NewDrill {
  name: string;
  scenario: string;
  seed: string;
  seedMode: SeedMode;
  mode: DrillMode;
  timeLimitMin: number;
  /** Team names in `teams` mode (none in `individuals` mode: each participant becomes one). */
  teams: string[];
  rerunOf?: string;
}

interface DrillRow {
  id: string;
  name: string;
  scenario: string;
  seed: string;
  seed_mode: SeedMode;
  mode: DrillMode;
  time_limit_min: number;
  code: string;
  created_by: string;
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
  rerun_of: string | null;
}

interface TeamRow {
  id: string;
  drill_id: string;
  name: string;
  position: number;
  seed: string;
  session_id: string | null;
  owner_id: string | null;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export class DrillStore {
  constructor(
    private readonly db: Db,
    private readonly clock: () => number,
  ) {}

  private row(id: string): DrillRow | undefined {
    return /^[0-9a-f]{16}$/.test(id) ? (this.db.prepare('SELECT * FROM drills WHERE id = ?').get(id) as DrillRow | undefined) : undefined;
  }

  /** Times as epoch ms, for the pure rules (lib/drills/rules.ts). */
  timing(id: string): { startedAt: number | null; endedAt: number | null; timeLimitMin: number } | null {
    const r = this.row(id);
    return r ? { startedAt: r.started_at, endedAt: r.ended_at, timeLimitMin: r.time_limit_min } : null;
  }

  private toDrill(row: DrillRow): Drill {
    const teams = this.db.prepare('SELECT * FROM drill_teams WHERE drill_id = ? ORDER BY position').all(row.id) as TeamRow[];
    const members = this.db
      .prepare('SELECT m.team_id, m.user_id, m.joined_at, u.name, u.email FROM drill_members m JOIN users u ON u.id = m.user_id WHERE m.drill_id = ? ORDER BY m.joined_at, m.rowid')
      .all(row.id) as { team_id: string; user_id: string; joined_at: number; name: string; email: string | null }[];
    return {
      id: row.id,
      name: row.name,
      scenario: row.scenario,
      seed: row.seed,
      seedMode: row.seed_mode,
      mode: row.mode,
      timeLimitMin: row.time_limit_min,
      code: row.code,
      createdBy: row.created_by,
      createdAt: iso(row.created_at) as string,
      startedAt: iso(row.started_at),
      endedAt: iso(row.ended_at),
      rerunOf: row.rerun_of,
      teams: teams.map((t) => ({
        id: t.id,
        name: t.name,
        seed: t.seed,
        sessionId: t.session_id,
        ownerId: t.owner_id,
        members: members.filter((m) => m.team_id === t.id).map((m) => ({ userId: m.user_id, name: m.name, email: m.email, joinedAt: iso(m.joined_at) as string })),
      })),
    };
  }

  get(id: string): Drill | null {
    const row = this.row(id);
    return row ? this.toDrill(row) : null;
  }

  require(id: string): Drill {
    const drill = this.get(id);
    if (!drill) throw new SickbayError('not_found', `no drill ${JSON.stringify(id.slice(0, 40))}`);
    return drill;
  }

  byCode(code: string): Drill | null {
    const row = this.db.prepare('SELECT * FROM drills WHERE code = ?').get(code) as DrillRow | undefined;
    return row ? this.toDrill(row) : null;
  }

  /** Every drill (admins), or those one facilitator created; newest first. */
  list(createdBy: string | null): Drill[] {
    const rows = (
      createdBy === null
        ? this.db.prepare('SELECT * FROM drills ORDER BY created_at DESC, id').all()
        : this.db.prepare('SELECT * FROM drills WHERE created_by = ? ORDER BY created_at DESC, id').all(createdBy)
    ) as DrillRow[];
    return rows.map((r) => this.toDrill(r));
  }

  /** Drills a user joined, newest first (their "my drills"). */
  joinedBy(userId: string): Drill[] {
    const rows = this.db
      .prepare('SELECT d.* FROM drills d JOIN drill_members m ON m.drill_id = d.id WHERE m.user_id = ? ORDER BY d.created_at DESC')
      .all(userId) as DrillRow[];
    return rows.map((r) => this.toDrill(r));
  }

  create(input: NewDrill, createdBy: string): Drill {
    const id = newId();
    const now = this.clock();
    this.db.transaction(() => {
      // A clash of six characters from 31 is rare; a few tries make it vanishingly so.
      for (let attempt = 0; ; attempt++) {
        const code = joinCode(crypto.randomBytes(8));
        try {
          this.db
            .prepare(
              `INSERT INTO drills (id, name, scenario, seed, seed_mode, mode, time_limit_min, code, created_by, created_at, rerun_of)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            )
            .run(id, input.name, input.scenario, input.seed, input.seedMode, input.mode, input.timeLimitMin, code, createdBy, now, input.rerunOf ?? null);
          break;
        } catch (err) {
          if ((err as { code?: string }).code !== 'SQLITE_CONSTRAINT_UNIQUE' || attempt >= 5) throw err;
        }
      }
      input.teams.forEach((name, i) => this.insertTeam(id, name.trim(), i, teamSeed(input.seed, input.seedMode, i)));
    })();
    return this.require(id);
  }

  private insertTeam(drillId: string, name: string, position: number, seed: string): string {
    const id = newId();
    this.db.prepare('INSERT INTO drill_teams (id, drill_id, name, position, seed) VALUES (?, ?, ?, ?, ?)').run(id, drillId, name, position, seed);
    return id;
  }

  /** Individuals mode: the participant's own team, named after them (made distinct if needed). */
  addOwnTeam(drill: Drill, userName: string): string {
    const taken = new Set(drill.teams.map((t) => t.name.toLowerCase()));
    let name = userName.trim().slice(0, 36) || 'participant';
    for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${userName.trim().slice(0, 32)} (${n})`;
    const position = drill.teams.length;
    return this.insertTeam(drill.id, name, position, teamSeed(drill.seed, drill.seedMode, position));
  }

  /** Adds a participant to a team; false when they are already in this drill (in whichever team). */
  join(drillId: string, teamId: string, userId: string): boolean {
    return this.db.prepare('INSERT OR IGNORE INTO drill_members (drill_id, user_id, team_id, joined_at) VALUES (?, ?, ?, ?)').run(drillId, userId, teamId, this.clock()).changes === 1;
  }

  /**
   * Undoes a join whose team session could not start (a limit refused it): the participant
   * leaves, and so does their own team in individuals mode (the last one added, so positions stay dense).
   */
  leave(drillId: string, userId: string, ownTeamId: string | null): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM drill_members WHERE drill_id = ? AND user_id = ?').run(drillId, userId);
      if (ownTeamId) this.db.prepare('DELETE FROM drill_teams WHERE id = ? AND drill_id = ? AND session_id IS NULL').run(ownTeamId, drillId);
    })();
  }

  /** Attaches a team's session unless another one got there first (`replacing`: the dead one it may replace). */
  setTeamSession(teamId: string, sessionId: string, ownerId: string, replacing: string | null): boolean {
    const sql = replacing === null ? 'session_id IS NULL' : 'session_id = @replacing';
    return this.db.prepare(`UPDATE drill_teams SET session_id = @sessionId, owner_id = @ownerId WHERE id = @teamId AND ${sql}`).run({ teamId, sessionId, ownerId, replacing }).changes === 1;
  }

  /** Records the start (the sessions' one ready time); false when it had already started. */
  markStarted(drillId: string, at: number): boolean {
    return this.db.prepare('UPDATE drills SET started_at = ? WHERE id = ? AND started_at IS NULL AND ended_at IS NULL').run(at, drillId).changes === 1;
  }

  markEnded(drillId: string, at: number): boolean {
    return this.db.prepare('UPDATE drills SET ended_at = ? WHERE id = ? AND ended_at IS NULL').run(at, drillId).changes === 1;
  }

  /** Running drills whose time is up: the sweep ends their sessions and the drill. */
  overdue(): string[] {
    const rows = this.db
      .prepare('SELECT id FROM drills WHERE started_at IS NOT NULL AND ended_at IS NULL AND started_at + time_limit_min * 60000 <= ?')
      .all(this.clock()) as { id: string }[];
    return rows.map((r) => r.id);
  }

  /**
   * A watcher's drill ties: the facilitator who created a drill watches every team's session;
   * a member watches their own team's session when someone else owns it (the read-only mirror).
   */
  watchLinks(watcherId: string): WatchLink[] {
    const facilitated = this.db
      .prepare('SELECT t.drill_id, t.session_id, t.owner_id FROM drill_teams t JOIN drills d ON d.id = t.drill_id WHERE d.created_by = ? AND t.session_id IS NOT NULL')
      .all(watcherId) as { drill_id: string; session_id: string; owner_id: string }[];
    const teammate = this.db
      .prepare(
        `SELECT t.drill_id, t.session_id, t.owner_id FROM drill_members m JOIN drill_teams t ON t.id = m.team_id
         WHERE m.user_id = ? AND t.session_id IS NOT NULL AND t.owner_id <> m.user_id`,
      )
      .all(watcherId) as { drill_id: string; session_id: string; owner_id: string }[];
    return [
      ...facilitated.map((r) => ({ via: 'drill' as const, as: 'facilitator' as const, ref: r.drill_id, watcherId, learnerId: r.owner_id, sessionId: r.session_id })),
      ...teammate.map((r) => ({ via: 'drill' as const, as: 'teammate' as const, ref: r.drill_id, watcherId, learnerId: r.owner_id, sessionId: r.session_id })),
    ];
  }
}
