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
  // Accounts (issue #12): users and roles, browser sign-ins, API tokens, set-password links,
  // sign-in failures for lockout, cohorts, the admin audit log; every session gets an owner.
  // The implicit local admin of personal mode owns every session started before accounts.
  `
  CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT UNIQUE COLLATE NOCASE,
    name          TEXT NOT NULL DEFAULT '',
    role          TEXT NOT NULL CHECK (role IN ('admin', 'facilitator', 'learner')),
    password_hash TEXT,
    disabled      INTEGER NOT NULL DEFAULT 0,
    oidc_issuer   TEXT,
    oidc_subject  TEXT,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    UNIQUE (oidc_issuer, oidc_subject)
  );
  INSERT INTO users (id, email, name, role, created_at, updated_at) VALUES ('local', NULL, 'local admin', 'admin', 0, 0);
  ALTER TABLE sessions ADD COLUMN owner_id TEXT NOT NULL DEFAULT 'local';
  CREATE INDEX sessions_owner ON sessions(owner_id, created_at);
  CREATE TABLE auth_sessions (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id),
    secret_hash  TEXT NOT NULL,
    via          TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
  );
  CREATE INDEX auth_sessions_user ON auth_sessions(user_id);
  CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id),
    name         TEXT NOT NULL,
    scopes       TEXT NOT NULL,
    secret_hash  TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at   INTEGER
  );
  CREATE INDEX api_tokens_user ON api_tokens(user_id);
  CREATE TABLE user_links (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id),
    purpose     TEXT NOT NULL CHECK (purpose IN ('invite', 'reset')),
    secret_hash TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
  );
  CREATE TABLE signin_failures (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    email   TEXT NOT NULL COLLATE NOCASE,
    address TEXT NOT NULL,
    at      INTEGER NOT NULL
  );
  CREATE INDEX signin_failures_email ON signin_failures(email, at);
  CREATE INDEX signin_failures_address ON signin_failures(address, at);
  CREATE TABLE cohorts (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL
  );
  CREATE TABLE cohort_members (
    cohort_id TEXT NOT NULL REFERENCES cohorts(id) ON DELETE CASCADE,
    user_id   TEXT NOT NULL REFERENCES users(id),
    role      TEXT NOT NULL CHECK (role IN ('facilitator', 'learner')),
    added_at  INTEGER NOT NULL,
    PRIMARY KEY (cohort_id, user_id)
  );
  CREATE INDEX cohort_members_user ON cohort_members(user_id);
  CREATE TABLE admin_audit (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    at       INTEGER NOT NULL,
    actor_id TEXT NOT NULL,
    action   TEXT NOT NULL,
    target   TEXT,
    detail   TEXT
  );
  -- What admins did is evidence too: nothing may rewrite or delete it.
  CREATE TRIGGER admin_audit_append_only_update BEFORE UPDATE ON admin_audit
    BEGIN SELECT RAISE(ABORT, 'the admin audit log is append-only'); END;
  CREATE TRIGGER admin_audit_append_only_delete BEFORE DELETE ON admin_audit
    BEGIN SELECT RAISE(ABORT, 'the admin audit log is append-only'); END;
  `,
  // Interviews (#13): who set one up, its candidate (an account without sign-in), the single-use
  // link and the browser it was bound to, the session, and the interviewers who watch it.
  `
  CREATE TABLE interviews (
    id              TEXT PRIMARY KEY,
    scenario        TEXT NOT NULL,
    seed            TEXT NOT NULL,
    candidate_id    TEXT NOT NULL REFERENCES users(id),
    candidate_name  TEXT NOT NULL,
    time_limit_min  INTEGER NOT NULL,
    hints           INTEGER NOT NULL,
    created_by      TEXT NOT NULL REFERENCES users(id),
    created_at      INTEGER NOT NULL,
    link_hash       TEXT NOT NULL,
    link_expires_at INTEGER NOT NULL,
    claimed_at      INTEGER,
    browser_hash    TEXT,
    session_id      TEXT
  );
  CREATE TABLE interview_watchers (
    interview_id TEXT NOT NULL REFERENCES interviews(id) ON DELETE CASCADE,
    user_id      TEXT NOT NULL REFERENCES users(id),
    added_at     INTEGER NOT NULL,
    PRIMARY KEY (interview_id, user_id)
  );
  CREATE INDEX interview_watchers_user ON interview_watchers(user_id);
  `,
  // Coach mode (issue #15): the proxy holds evidence-losing calls once; off (exam mode) unless chosen.
  `
  ALTER TABLE sessions ADD COLUMN coach INTEGER NOT NULL DEFAULT 0;
  `,
  // Interviewers' private notes (#13), pinned to the session clock (ms since ready); the
  // candidate never reads this table.
  `
  CREATE TABLE interview_notes (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    interview_id TEXT NOT NULL REFERENCES interviews(id) ON DELETE CASCADE,
    author_id    TEXT NOT NULL REFERENCES users(id),
    session_ms   INTEGER NOT NULL,
    text         TEXT NOT NULL,
    created_at   INTEGER NOT NULL
  );
  CREATE INDEX interview_notes_interview ON interview_notes(interview_id, id);
  -- The rubric after the interview: overrides of the report's items (every one kept; the
  -- latest per item counts) and the overall recommendation (the latest counts).
  CREATE TABLE interview_overrides (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    interview_id TEXT NOT NULL REFERENCES interviews(id) ON DELETE CASCADE,
    item_id      TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('met', 'broken', 'not-applicable')),
    reason       TEXT NOT NULL,
    author_id    TEXT NOT NULL REFERENCES users(id),
    created_at   INTEGER NOT NULL
  );
  CREATE INDEX interview_overrides_interview ON interview_overrides(interview_id, id);
  CREATE TABLE interview_recommendations (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    interview_id TEXT NOT NULL REFERENCES interviews(id) ON DELETE CASCADE,
    value        TEXT NOT NULL CHECK (value IN ('strong-hire', 'hire', 'no-hire', 'strong-no-hire')),
    text         TEXT NOT NULL,
    author_id    TEXT NOT NULL REFERENCES users(id),
    created_at   INTEGER NOT NULL
  );
  `,
  // Team drills (#14): a session may be held after provisioning until released (holding.ts);
  // a drill, its teams (each with its seed and the one session it works in) and who joined which.
  `
  ALTER TABLE sessions ADD COLUMN hold INTEGER NOT NULL DEFAULT 0;
  CREATE TABLE drills (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    scenario       TEXT NOT NULL,
    seed           TEXT NOT NULL,
    seed_mode      TEXT NOT NULL,
    mode           TEXT NOT NULL,
    time_limit_min INTEGER NOT NULL,
    code           TEXT NOT NULL UNIQUE,
    created_by     TEXT NOT NULL REFERENCES users(id),
    created_at     INTEGER NOT NULL,
    started_at     INTEGER,
    ended_at       INTEGER,
    rerun_of       TEXT
  );
  CREATE INDEX drills_created_by ON drills(created_by);
  CREATE TABLE drill_teams (
    id         TEXT PRIMARY KEY,
    drill_id   TEXT NOT NULL REFERENCES drills(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    position   INTEGER NOT NULL,
    seed       TEXT NOT NULL,
    session_id TEXT,
    owner_id   TEXT REFERENCES users(id),
    UNIQUE (drill_id, name)
  );
  CREATE TABLE drill_members (
    drill_id  TEXT NOT NULL REFERENCES drills(id) ON DELETE CASCADE,
    user_id   TEXT NOT NULL REFERENCES users(id),
    team_id   TEXT NOT NULL REFERENCES drill_teams(id) ON DELETE CASCADE,
    joined_at INTEGER NOT NULL,
    PRIMARY KEY (drill_id, user_id)
  );
  CREATE INDEX drill_members_user ON drill_members(user_id);
  CREATE INDEX drill_members_team ON drill_members(team_id);
  `,
  // Shared sessions with roles (issue #14): the members of a team session and their roles
  // (lib/auth/team.ts). A session without rows here is worked by its owner alone.
  `
  CREATE TABLE session_members (
    session_id TEXT NOT NULL REFERENCES sessions(id),
    user_id    TEXT NOT NULL REFERENCES users(id),
    role       TEXT NOT NULL CHECK (role IN ('commander', 'driver', 'scribe', 'watcher')),
    added_at   INTEGER NOT NULL,
    PRIMARY KEY (session_id, user_id)
  );
  CREATE INDEX session_members_user ON session_members(user_id);
  -- One driver per session, whatever the code above it does.
  CREATE UNIQUE INDEX session_members_one_driver ON session_members(session_id) WHERE role = 'driver';
  `,
  // The customer signal (issue #16): one row per second of a session's customers, written by
  // the server from the lab-owned customers container's reports (server/engine/customer-signal.ts).
  `
  CREATE TABLE customer_seconds (
    session_id TEXT NOT NULL REFERENCES sessions(id),
    t          INTEGER NOT NULL,
    requests   INTEGER NOT NULL,
    ok         INTEGER NOT NULL,
    errors     TEXT NOT NULL,
    p50_ms     REAL,
    p95_ms     REAL,
    PRIMARY KEY (session_id, t)
  ) WITHOUT ROWID;
  `,
];
