/**
 * Schema migrations, applied in order at start-up; PRAGMA user_version records how far a
 * database has come. Append new steps; never edit a step that has shipped.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE sessions (
    id            TEXT PRIMARY KEY,
    scenario      TEXT NOT NULL,
    seed          TEXT NOT NULL,
    status        TEXT NOT NULL,
    status_detail TEXT,
    params        TEXT NOT NULL DEFAULT '{}',
    containers    TEXT NOT NULL DEFAULT '{}',
    baseline      TEXT NOT NULL DEFAULT '{}',
    created_at    INTEGER NOT NULL,
    ready_at      INTEGER,
    ended_at      INTEGER,
    expires_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
  );
  CREATE INDEX sessions_status ON sessions(status);
  CREATE TABLE events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL REFERENCES sessions(id),
    t          INTEGER NOT NULL,
    at         INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    data       TEXT NOT NULL
  );
  CREATE INDEX events_session ON events(session_id, id);
  -- The event log is evidence for scoring: nothing may rewrite or delete it.
  CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
    BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
  CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
    BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
  `,
  // The learner console: its container, the terminal WebSocket token, the asciicast recording.
  `
  ALTER TABLE sessions ADD COLUMN console_id TEXT;
  ALTER TABLE sessions ADD COLUMN terminal_token TEXT;
  ALTER TABLE sessions ADD COLUMN recording_path TEXT;
  `,
  // Reports are computed once, when a session ends, and kept with the rule-set version.
  `
  CREATE TABLE reports (
    session_id         TEXT PRIMARY KEY REFERENCES sessions(id),
    rule_set_version   TEXT NOT NULL,
    classifier_version INTEGER NOT NULL,
    created_at         INTEGER NOT NULL,
    report             TEXT NOT NULL
  );
  CREATE TRIGGER reports_never_change BEFORE UPDATE ON reports
    BEGIN SELECT RAISE(ABORT, 'reports are never recomputed'); END;
  `,
  // Sessions provisioned ahead of demand (SICKBAY_POOL): hidden until a learner claims one.
  `
  ALTER TABLE sessions ADD COLUMN pooled INTEGER NOT NULL DEFAULT 0;
  CREATE INDEX sessions_pool ON sessions(scenario, pooled, status);
  `,
  // Admission control: a session waits as "queued" until it may provision ("creating" is gone).
  `
  UPDATE sessions SET status = 'queued' WHERE status = 'creating';
  `,
  // Read-only terminal mirrors for watchers (interviewers, drill teammates) have their own token.
  `
  ALTER TABLE sessions ADD COLUMN mirror_token TEXT;
  `,
];
