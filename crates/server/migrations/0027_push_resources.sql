-- A push names what its login is for, which is now also an app (its name):
-- the table is made again without the check that allowed only the
-- portal's two halves (one way that SQLite and PostgreSQL both take).
CREATE TABLE push_requests_next (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    session_hash TEXT NOT NULL,
    resource     TEXT NOT NULL,
    ip           TEXT NOT NULL,
    browser      TEXT NOT NULL,
    number       BIGINT NOT NULL CHECK (number BETWEEN 10 AND 99),
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'approved', 'denied', 'expired', 'cancelled')),
    answered_at  BIGINT,
    user_verified BOOLEAN,
    used_at      BIGINT,
    deny_reason  TEXT,
    reported_at  BIGINT,
    purpose      TEXT NOT NULL DEFAULT 'login'
);
INSERT INTO push_requests_next (id, user_id, session_hash, resource, ip, browser, number,
    created_at, expires_at, status, answered_at, user_verified, used_at, deny_reason,
    reported_at, purpose)
SELECT id, user_id, session_hash, resource, ip, browser, number, created_at, expires_at,
    status, answered_at, user_verified, used_at, deny_reason, reported_at, purpose
FROM push_requests;
DROP TABLE push_requests;
ALTER TABLE push_requests_next RENAME TO push_requests;
CREATE INDEX push_requests_outstanding ON push_requests (user_id, status, expires_at);
CREATE INDEX push_requests_session ON push_requests (session_hash, status);
