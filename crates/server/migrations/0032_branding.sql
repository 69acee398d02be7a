-- The organisation's branding, one row (id 1): its name, the accent colour
-- of primary buttons and the help text ('' for none; the server checks
-- them), and its logo (the file's bytes as base64 text, which both
-- databases store alike, with its type and a hash that names its version).
CREATE TABLE org_branding (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    org_name    TEXT NOT NULL DEFAULT '',
    accent      TEXT NOT NULL DEFAULT '',
    help_text   TEXT NOT NULL DEFAULT '',
    logo_type   TEXT CHECK (logo_type IN ('image/png', 'image/svg+xml')),
    logo_base64 TEXT,
    logo_hash   TEXT,
    -- The last change; NULL: never changed.
    updated_at  BIGINT,
    updated_by  TEXT REFERENCES users (id) ON DELETE SET NULL
);

INSERT INTO org_branding (id) VALUES (1);
