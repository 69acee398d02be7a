-- Protect push hardening: enrollment links know the session that made
-- them (a session makes a few per 10 minutes) and are revoked, not
-- deleted, so a device offering a dead link is told why; pushes say
-- whether they are a login's or a signed-in session's fresh proof (the
-- organisation's limit counts logins, a proof has one slot per session);
-- and per-session counters for refused pushes and browser waits.

-- The SHA-256 id hash of the session that asked for the link (NULL for
-- links made before this migration).
ALTER TABLE protect_enrollments ADD COLUMN session_hash TEXT;
-- When and why the link stopped working before its use or expiry:
-- 'replaced' (a newer link), 'enrolled' (a device enrolled), 'factors'
-- (factors reset or removed), 'sessions' (the user's sessions ended).
ALTER TABLE protect_enrollments ADD COLUMN revoked_at BIGINT;
ALTER TABLE protect_enrollments ADD COLUMN revoked_reason TEXT;
CREATE INDEX protect_enrollments_user ON protect_enrollments (user_id);
CREATE INDEX protect_enrollments_session ON protect_enrollments (session_hash, created_at);

-- 'login' (the second step of a login) or 'proof' (a signed-in session
-- proving its factor again).
ALTER TABLE push_requests ADD COLUMN purpose TEXT NOT NULL DEFAULT 'login';
CREATE INDEX push_requests_session ON push_requests (session_hash, status);

-- Refused pushes recorded in the audit log, per session and fixed window:
-- beyond a few, a refusal is answered but not recorded again.
CREATE TABLE push_refusals (
    session_hash TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    refusals     BIGINT NOT NULL,
    PRIMARY KEY (session_hash, window_start)
);

-- Browsers' push waits (long-polls) in progress, so that one session holds
-- only a few at once whichever instance answers. A row outlives a crashed
-- wait only until `ends_at`.
CREATE TABLE push_waits (
    id           TEXT PRIMARY KEY,
    session_hash TEXT NOT NULL,
    ends_at      BIGINT NOT NULL
);
CREATE INDEX push_waits_session ON push_waits (session_hash, ends_at);
