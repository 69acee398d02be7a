-- The platform for more factors: sessions that record how they were proven,
-- one registry of confirmed factors, a typed audit log, single-use
-- challenges, and the counters behind the 100-failures cap.

-- A session now records which methods proved it and when the last second
-- factor was passed, instead of a two-value stage. Old sessions cannot be
-- translated (they lack those facts): everyone signs in again once.
DROP TABLE sessions;
CREATE TABLE sessions (
    id_hash          TEXT PRIMARY KEY,          -- SHA-256 of the cookie value
    user_id          TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    signed_in        BOOLEAN NOT NULL,          -- FALSE: the login is still in progress
    methods          TEXT NOT NULL,             -- space-separated, e.g. 'pwd otp'
    password_at      BIGINT NOT NULL,
    second_factor_at BIGINT,                    -- the last second factor passed; NULL: none
    created_at       BIGINT NOT NULL,
    last_seen_at     BIGINT NOT NULL,
    expires_at       BIGINT NOT NULL,           -- absolute end, however busy
    client_ip        TEXT NOT NULL,
    user_agent       TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id, created_at);
CREATE INDEX sessions_last_seen ON sessions (last_seen_at);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- The last accepted time step belongs to the authenticator it came from.
ALTER TABLE totp_factors ADD COLUMN last_step BIGINT NOT NULL DEFAULT -1;
UPDATE totp_factors
   SET last_step = (SELECT u.totp_last_step FROM users u WHERE u.id = totp_factors.user_id);
ALTER TABLE users DROP COLUMN totp_last_step;

-- The factor registry: every confirmed second factor of every user, one row
-- each. Each new kind of factor adds its table to this view, and everything
-- that asks "which factors does this user have" reads only the view.
CREATE VIEW confirmed_factors AS
    SELECT user_id, 'totp' AS kind, confirmed_at AS since
      FROM totp_factors
     WHERE confirmed_at IS NOT NULL;

-- The audit log: who did what to whom. Written in the same transaction as
-- the change it records.
CREATE TABLE audit_events (
    id         TEXT PRIMARY KEY,
    at         BIGINT NOT NULL,
    kind       TEXT NOT NULL,
    actor_kind TEXT NOT NULL CHECK (actor_kind IN ('user', 'admin', 'system', 'anonymous')),
    actor_id   TEXT,
    subject_id TEXT REFERENCES users (id) ON DELETE SET NULL,
    client_ip  TEXT NOT NULL,
    detail     TEXT NOT NULL
);
INSERT INTO audit_events (id, at, kind, actor_kind, actor_id, subject_id, client_ip, detail)
    SELECT id, at, kind,
           CASE WHEN user_id IS NULL THEN 'anonymous' ELSE 'user' END,
           user_id, user_id, client_ip, detail
      FROM events;
DROP TABLE events;
CREATE INDEX audit_events_at ON audit_events (at);
CREATE INDEX audit_events_kind ON audit_events (kind, at);
CREATE INDEX audit_events_subject ON audit_events (subject_id, at);
CREATE INDEX audit_events_actor ON audit_events (actor_id, at);

-- Failures in a row, never forgotten by a quiet period: at the cap the
-- password or factor is suspended until an administrator unlocks it.
ALTER TABLE throttle ADD COLUMN consecutive BIGINT NOT NULL DEFAULT 0;

-- Fixed-window counters of successes (logins per account).
CREATE TABLE rate_windows (
    key          TEXT PRIMARY KEY,
    hits         BIGINT NOT NULL,
    window_start BIGINT NOT NULL
);

-- Single-use, short-lived ceremony state (WebAuthn challenges, push
-- requests), bound to the session that started it.
CREATE TABLE challenges (
    id           TEXT PRIMARY KEY,
    session_hash TEXT NOT NULL,
    kind         TEXT NOT NULL,
    payload      TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    used_at      BIGINT
);
CREATE INDEX challenges_expires ON challenges (expires_at);
