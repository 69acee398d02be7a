-- One-time links that let a person in without a session: an invitation
-- (a new account sets its password, then MFA where required) and a setup
-- link (an account with no factor binds its first one: an administrator's,
-- whom a password alone may not let do it). Only a keyed hash of the token
-- is kept; a link is deleted when used, replaced, or when its account is.
CREATE TABLE user_links (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL CHECK (purpose IN ('invitation', 'setup', 'reset')),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    -- The administrator who made it; NULL: the command line or the demo.
    created_by TEXT
);
CREATE INDEX user_links_user ON user_links (user_id);
CREATE INDEX user_links_expiry ON user_links (expires_at);

-- An invited account has no password yet: its hash is the empty string,
-- which no password matches. The admin list filters on it.
CREATE INDEX users_invited ON users (password_hash) WHERE password_hash = '';
