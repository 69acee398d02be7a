-- WebAuthn security keys and passkeys: several per user, each a row.

CREATE TABLE webauthn_credentials (
    -- Our id for the credential: the factor id of the registry, and the one
    -- the user and administrators name it by in URLs.
    id              TEXT PRIMARY KEY,
    user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The authenticator's credential id (base64url). Unique across users:
    -- an authenticator never answers for one credential id to two accounts.
    credential_id   TEXT NOT NULL UNIQUE,
    -- The verifying library's credential record (JSON): public key,
    -- algorithm, policy, counter as of the last use.
    credential      TEXT NOT NULL,
    name            TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    last_used_at    BIGINT,
    -- The signature counter last accepted; a lower one means a cloned key.
    counter         BIGINT NOT NULL DEFAULT 0,
    backup_eligible BOOLEAN NOT NULL DEFAULT FALSE,
    backed_up       BOOLEAN NOT NULL DEFAULT FALSE,
    -- The authenticator model, when the attestation names it.
    aaguid          TEXT,
    -- How the browser can reach it (space-separated: usb nfc ble internal hybrid).
    transports      TEXT NOT NULL DEFAULT '',
    -- Whether it is a resident (discoverable) credential; NULL: not reported.
    discoverable    BOOLEAN
);
CREATE INDEX webauthn_credentials_user ON webauthn_credentials (user_id, created_at);

-- The registry gains the credentials, one factor each, named by our id. A
-- view cannot gain rows of another table in place on both databases: drop
-- it and create it again, with the columns of 0006.
DROP VIEW confirmed_factors;
CREATE VIEW confirmed_factors AS
    SELECT user_id, 'totp' AS kind, 'totp' AS factor_id, confirmed_at AS since, last_used_at
      FROM totp_factors
     WHERE confirmed_at IS NOT NULL
    UNION ALL
    SELECT user_id, 'webauthn' AS kind, id AS factor_id, created_at AS since, last_used_at
      FROM webauthn_credentials;
