-- The kinds of factor users may set up become one set (the kinds' wire
-- names, space-separated, in the order the product lists them) instead of
-- a column per kind, so a new kind needs no new column. The table is
-- rebuilt because its old CHECK names the three columns (SQLite cannot
-- drop columns a CHECK uses); every other column keeps its definition.
CREATE TABLE org_settings_new (
    id                   INTEGER PRIMARY KEY CHECK (id = 1),
    default_period_days  BIGINT NOT NULL CHECK (default_period_days BETWEEN 1 AND 365),
    require_new_users    BOOLEAN NOT NULL,
    new_user_period_days BIGINT CHECK (new_user_period_days BETWEEN 1 AND 365),
    -- The kinds users may set up (those set up already keep working);
    -- at least one stays allowed.
    allowed_factors      TEXT NOT NULL CHECK (allowed_factors <> ''),
    updated_at           BIGINT,
    updated_by           TEXT REFERENCES users (id) ON DELETE SET NULL,
    trusted_browser_days BIGINT CHECK (trusted_browser_days BETWEEN 1 AND 90),
    push_limit_enabled   BOOLEAN NOT NULL DEFAULT TRUE,
    push_max_concurrent  BIGINT NOT NULL DEFAULT 1 CHECK (push_max_concurrent BETWEEN 1 AND 10),
    push_biometric       TEXT NOT NULL DEFAULT 'never'
        CHECK (push_biometric IN ('never', 'if_enabled', 'always')),
    protect_mode         TEXT NOT NULL DEFAULT 'separate'
        CHECK (protect_mode IN ('separate', 'unified')),
    protect_merged_at    BIGINT
);

INSERT INTO org_settings_new (id, default_period_days, require_new_users, new_user_period_days,
                              allowed_factors, updated_at, updated_by, trusted_browser_days,
                              push_limit_enabled, push_max_concurrent, push_biometric,
                              protect_mode, protect_merged_at)
SELECT id, default_period_days, require_new_users, new_user_period_days,
       TRIM(CASE WHEN allow_totp THEN 'totp ' ELSE '' END
            || CASE WHEN allow_webauthn THEN 'webauthn ' ELSE '' END
            || CASE WHEN allow_push THEN 'push' ELSE '' END),
       updated_at, updated_by, trusted_browser_days,
       push_limit_enabled, push_max_concurrent, push_biometric,
       protect_mode, protect_merged_at
  FROM org_settings;

DROP TABLE org_settings;
ALTER TABLE org_settings_new RENAME TO org_settings;
