/** The admin audit log: what admins did (and the first admin's creation), append-only. */
import type { Db } from '../store/db';

export interface AdminAction {
  id: number;
  at: string;
  actorId: string;
  action: string;
  target: string | null;
  detail: string | null;
}

export class AdminAudit {
  constructor(
    private readonly db: Db,
    private readonly clock: () => number,
  ) {}

  record(actorId: string, action: string, target: string | null = null, detail: string | null = null): void {
    this.db.prepare('INSERT INTO admin_audit (at, actor_id, action, target, detail) VALUES (?, ?, ?, ?, ?)').run(this.clock(), actorId, action, target, detail);
  }

  list(limit = 200): AdminAction[] {
    const rows = this.db.prepare('SELECT * FROM admin_audit ORDER BY id DESC LIMIT ?').all(limit) as { id: number; at: number; actor_id: string; action: string; target: string | null; detail: string | null }[];
    return rows.map((r) => ({ id: r.id, at: new Date(r.at).toISOString(), actorId: r.actor_id, action: r.action, target: r.target, detail: r.detail }));
  }
}
