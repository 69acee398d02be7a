-- Trusted browsers: "Don't ask again on this browser for N days". The
-- organisation switches them on with a number of days (NULL: off, the
-- default); each browser trusted at a login's second step holds a random
-- token in a cookie of its own, and this table keeps only a keyed hash of
-- it (HMAC-SHA256 under a key kept outside the database, see `secret.rs`),
-- so neither the table nor a copy of it lets anyone skip a second factor.
ALTER TABLE org_settings ADD COLUMN trusted_browser_days BIGINT
    CHECK (trusted_browser_days BETWEEN 1 AND 90);

CREATE TABLE trusted_browsers (
    -- the public handle the Security page revokes it by (not the token)
    id           TEXT PRIMARY KEY,
    -- hex keyed hash of the cookie's token: how a login finds the row
    token_hash   TEXT NOT NULL UNIQUE,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- the user agent in words and the address, when it was trusted
    browser      TEXT NOT NULL,
    ip           TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    -- the last login it spared the second factor; NULL: none yet
    last_used_at BIGINT,
    expires_at   BIGINT NOT NULL
);

CREATE INDEX trusted_browsers_user ON trusted_browsers (user_id, created_at);
