-- Portable SQL: this schema must also run on PostgreSQL later (several instances on one database), so
-- no SQLite-only types or features. Times are Unix seconds (BIGINT).

CREATE TABLE users (
    id            TEXT PRIMARY KEY,           -- random UUID: does not leak counts
    email         TEXT NOT NULL UNIQUE,       -- stored lower-cased
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,              -- Argon2id PHC string
    role          TEXT NOT NULL CHECK (role IN ('user', 'admin', 'billing_admin')),
    created_at    BIGINT NOT NULL
);

-- Server-side sessions. Only a SHA-256 of the cookie value is stored, so a
-- copy of the database does not hand out live sessions.
CREATE TABLE sessions (
    id_hash      TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- 'password': passed the password only; 'full': signed in.
    stage        TEXT NOT NULL CHECK (stage IN ('password', 'full')),
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    client_ip    TEXT NOT NULL,
    user_agent   TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_last_seen ON sessions (last_seen_at);

-- Failed-attempt counters for throttling. The key is a hash of what is
-- counted (account, client, or both), so typed-in emails are not kept.
CREATE TABLE throttle (
    key             TEXT PRIMARY KEY,
    failures        BIGINT NOT NULL,
    last_failure_at BIGINT NOT NULL,
    blocked_until   BIGINT NOT NULL
);

-- Security events (logins, later MFA and admin actions) for the admin log.
CREATE TABLE events (
    id        TEXT PRIMARY KEY,
    at        BIGINT NOT NULL,
    kind      TEXT NOT NULL,
    user_id   TEXT REFERENCES users (id) ON DELETE SET NULL,
    client_ip TEXT NOT NULL,
    detail    TEXT NOT NULL
);
CREATE INDEX events_at ON events (at);
CREATE INDEX events_user ON events (user_id, at);
