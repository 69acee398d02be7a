-- A new authenticator app being set up in place of a lost one (a login let
-- in by a helpdesk's temporary access code): the old app stays until the
-- new one's first code is confirmed, then the key is swapped in one
-- transaction, so an abandoned setup leaves the account as it was.
CREATE TABLE totp_replacements (
    user_id    TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret     TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_step  BIGINT NOT NULL DEFAULT -1
);
