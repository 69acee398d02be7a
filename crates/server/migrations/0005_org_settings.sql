-- The organisation's MFA settings (the admin page /admin/mfa). One row: the
-- CHECK on the id keeps it one, and it is created here with the defaults,
-- so every reader finds it and a change is always an UPDATE.
CREATE TABLE org_settings (
    id                   INTEGER PRIMARY KEY CHECK (id = 1),
    -- The enrollment period offered when an administrator requires MFA.
    default_period_days  BIGINT NOT NULL CHECK (default_period_days BETWEEN 1 AND 365),
    -- Users created from now on have MFA required…
    require_new_users    BOOLEAN NOT NULL,
    -- …with this period; NULL: no period, they set it up at the first login.
    new_user_period_days BIGINT CHECK (new_user_period_days BETWEEN 1 AND 365),
    -- The kinds of factor users may set up (those set up already keep
    -- working); at least one stays allowed.
    allow_totp           BOOLEAN NOT NULL,
    allow_webauthn       BOOLEAN NOT NULL,
    allow_push           BOOLEAN NOT NULL,
    -- The last change; NULL: never changed.
    updated_at           BIGINT,
    updated_by           TEXT REFERENCES users (id) ON DELETE SET NULL,
    CHECK (allow_totp OR allow_webauthn OR allow_push)
);

INSERT INTO org_settings (id, default_period_days, require_new_users, new_user_period_days,
                          allow_totp, allow_webauthn, allow_push, updated_at, updated_by)
VALUES (1, 7, FALSE, 7, TRUE, TRUE, TRUE, NULL, NULL);
