-- Single sign-on: the organisation's apps (OpenID Connect relying
-- parties) and everything a sign-in through Portcullis leaves behind.
-- Every secret, code and token is kept as a keyed hash only; the signing
-- keys' private halves are sealed with the server's encryption key.
CREATE TABLE apps (
    id            TEXT PRIMARY KEY,
    client_id     TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    name_key      TEXT NOT NULL UNIQUE,
    launch_url    TEXT NOT NULL,
    -- one URI per line, matched exactly
    redirect_uris TEXT NOT NULL,
    logout_uris   TEXT NOT NULL,
    -- NULL for a public client (PKCE instead of a secret)
    secret_hash   TEXT,
    -- org_default | second_factor | phishing_resistant | no_mfa
    policy        TEXT NOT NULL,
    first_party   BOOLEAN NOT NULL DEFAULT FALSE,
    everyone      BOOLEAN NOT NULL DEFAULT FALSE,
    -- RS256 | ES256: how its ID tokens are signed
    signing_alg   TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE TABLE app_groups (
    app_id   TEXT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    group_id TEXT NOT NULL REFERENCES user_groups (id) ON DELETE CASCADE,
    PRIMARY KEY (app_id, group_id)
);
CREATE INDEX app_groups_group ON app_groups (group_id);
CREATE TABLE app_users (
    app_id  TEXT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (app_id, user_id)
);
CREATE INDEX app_users_user ON app_users (user_id);

-- ID token signing keys, one current key per algorithm; a retired key's
-- public half is published until the tokens it signed have expired.
CREATE TABLE signing_keys (
    kid          TEXT PRIMARY KEY,
    alg          TEXT NOT NULL,
    private_key  TEXT NOT NULL,
    public_jwk   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    retired_at   BIGINT
);
-- at most one current key per algorithm, whichever instance starts first
CREATE UNIQUE INDEX signing_keys_current ON signing_keys (alg) WHERE retired_at IS NULL;

-- An authorization request between /oauth2/authorize and the code (or
-- the error) going back to the app: the browser holds its id.
CREATE TABLE sso_requests (
    id_hash        TEXT PRIMARY KEY,
    app_id         TEXT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    redirect_uri   TEXT NOT NULL,
    scope          TEXT NOT NULL,
    state          TEXT,
    nonce          TEXT,
    code_challenge TEXT,
    prompt         TEXT,
    max_age        BIGINT,
    login_hint     TEXT,
    created_at     BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL
);
CREATE INDEX sso_requests_expiry ON sso_requests (expires_at);

-- Authorization codes: single use, a minute, bound to the app, the
-- redirect URI and the PKCE challenge.
CREATE TABLE sso_codes (
    code_hash      TEXT PRIMARY KEY,
    app_id         TEXT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    user_id        TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    redirect_uri   TEXT NOT NULL,
    code_challenge TEXT,
    scope          TEXT NOT NULL,
    nonce          TEXT,
    auth_time      BIGINT NOT NULL,
    amr            TEXT NOT NULL,
    acr            TEXT NOT NULL,
    expires_at     BIGINT NOT NULL,
    used_at        BIGINT,
    -- the tokens the code was exchanged for (revoked if it is used again)
    family_id      TEXT
);
CREATE INDEX sso_codes_expiry ON sso_codes (expires_at);

-- Tokens. A family is one sign-in of one user to one app: its refresh
-- tokens rotate (each used once; a used one presented again revokes the
-- whole family) and its access tokens die with it.
CREATE TABLE sso_families (
    id          TEXT PRIMARY KEY,
    app_id      TEXT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    scope       TEXT NOT NULL,
    nonce       TEXT,
    auth_time   BIGINT NOT NULL,
    amr         TEXT NOT NULL,
    acr         TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX sso_families_user ON sso_families (user_id, app_id);
CREATE INDEX sso_families_expiry ON sso_families (expires_at);
CREATE TABLE sso_tokens (
    token_hash TEXT PRIMARY KEY,
    family_id  TEXT NOT NULL REFERENCES sso_families (id) ON DELETE CASCADE,
    -- access | refresh
    kind       TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE INDEX sso_tokens_family ON sso_tokens (family_id);

-- What each user agreed to share with each app (the consent screen is
-- shown again only for scopes beyond these).
CREATE TABLE app_consents (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    app_id     TEXT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    scope      TEXT NOT NULL,
    granted_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, app_id)
);
