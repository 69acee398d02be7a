-- Groups an administrator defines (teams, departments), used as a filter
-- and bulk target on the users list, and next for assigning apps. A name
-- is unique whatever its case (`name_key`: the name lower-cased).
CREATE TABLE user_groups (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    name_key   TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);
CREATE TABLE user_group_members (
    group_id TEXT NOT NULL REFERENCES user_groups (id) ON DELETE CASCADE,
    user_id  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    added_at BIGINT NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX user_group_members_user ON user_group_members (user_id);
