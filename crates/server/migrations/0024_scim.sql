-- Directory sync (SCIM 2.0). Bearer tokens an administrator makes for an
-- identity provider (only a keyed hash kept). Each user or group a
-- directory provisions keeps its SCIM representation as the directory
-- sent it (`attributes`, JSON without id and meta), so it reads back
-- exactly; the fields Portcullis uses (email, name, active, group name
-- and members) live in `users` and the groups' tables as always.
CREATE TABLE scim_tokens (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    created_by   TEXT,
    last_used_at BIGINT,
    -- whether the people this directory adds are invited by email at once
    invite       BOOLEAN NOT NULL DEFAULT TRUE
);
CREATE TABLE scim_users (
    user_id      TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    user_name    TEXT NOT NULL,
    -- userName lower-cased: unique whatever its case
    user_name_key TEXT NOT NULL UNIQUE,
    external_id  TEXT,
    attributes   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX scim_users_external ON scim_users (external_id);
CREATE TABLE scim_groups (
    group_id     TEXT PRIMARY KEY REFERENCES user_groups (id) ON DELETE CASCADE,
    external_id  TEXT,
    attributes   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX scim_groups_external ON scim_groups (external_id);
-- SCIM lists users and groups oldest first, a page at a time.
CREATE INDEX users_created ON users (created_at, id);
CREATE INDEX user_groups_created ON user_groups (created_at, id);
