-- Deleting a user removes the row and everything hanging off it (factors,
-- sessions, links, trusted browsers, pushes: ON DELETE CASCADE), but the
-- audit log keeps who it was about: the user's id stays on their events
-- and a tombstone names it.
CREATE TABLE deleted_users (
    id         TEXT PRIMARY KEY,
    -- What the event log shows for the id, e.g. "Zoe Zed (deleted)".
    label      TEXT NOT NULL,
    deleted_at BIGINT NOT NULL
);

-- The audit log's subject must outlive its user: the same table without
-- the foreign key (which would blank the id), rebuilt the portable way.
CREATE TABLE audit_events_kept (
    id         TEXT PRIMARY KEY,
    at         BIGINT NOT NULL,
    kind       TEXT NOT NULL,
    actor_kind TEXT NOT NULL CHECK (actor_kind IN ('user', 'admin', 'system', 'anonymous')),
    actor_id   TEXT,
    subject_id TEXT,
    client_ip  TEXT NOT NULL,
    detail     TEXT NOT NULL,
    resource   TEXT
);
INSERT INTO audit_events_kept (id, at, kind, actor_kind, actor_id, subject_id, client_ip, detail, resource)
    SELECT id, at, kind, actor_kind, actor_id, subject_id, client_ip, detail, resource FROM audit_events;
DROP TABLE audit_events;
ALTER TABLE audit_events_kept RENAME TO audit_events;
CREATE INDEX audit_events_at ON audit_events (at);
CREATE INDEX audit_events_kind ON audit_events (kind, at);
CREATE INDEX audit_events_subject ON audit_events (subject_id, at);
CREATE INDEX audit_events_actor ON audit_events (actor_id, at);
