-- Temporary access codes an administrator issues to a user who lost their
-- factor: one at a time per user (a new one replaces the old), stored as a
-- keyed hash bound to the user, either single use or usable until
-- `expires_at`. A one-time code is deleted when used.
CREATE TABLE temporary_access (
    user_id    TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    code_hash  TEXT NOT NULL,
    one_time   BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    created_by TEXT
);
