-- Protect push: a phone (the `protect` client) enrolled with its own
-- Ed25519 key, which signs every request it makes; one device per user.

CREATE TABLE protect_devices (
    -- Opaque id the device names itself by (x-protect-device). A new
    -- enrollment makes a new row with a new id, so an old key stops at once.
    id                TEXT PRIMARY KEY,
    user_id           TEXT NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    -- base64url (no padding) of the 32-byte Ed25519 public key
    public_key        TEXT NOT NULL,
    label             TEXT NOT NULL,
    device_type       TEXT NOT NULL,
    os                TEXT NOT NULL,
    app_version       TEXT NOT NULL,
    user_verification TEXT NOT NULL CHECK (user_verification IN ('biometric', 'pin', 'none')),
    -- server clock minus the device's clock at enrollment (seconds)
    clock_offset      BIGINT NOT NULL,
    enrolled_at       BIGINT NOT NULL,
    -- the last signed request it made
    last_seen_at      BIGINT,
    -- the last login it approved (the factor's last use)
    last_used_at      BIGINT
);

-- One-time enrollment links (the QR code): only a keyed hash of the token.
CREATE TABLE protect_enrollments (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    -- NULL: not used yet; a link works once
    used_at    BIGINT
);
CREATE INDEX protect_enrollments_expiry ON protect_enrollments (expires_at);

-- Nonces of signed device requests, kept longer than the time window so a
-- request cannot be replayed while its time is still accepted.
CREATE TABLE protect_nonces (
    device_id TEXT NOT NULL REFERENCES protect_devices (id) ON DELETE CASCADE,
    nonce     TEXT NOT NULL,
    seen_at   BIGINT NOT NULL,
    PRIMARY KEY (device_id, nonce)
);
CREATE INDEX protect_nonces_seen ON protect_nonces (seen_at);

-- Push requests: one per "Send push" of a login, answered at most once.
CREATE TABLE push_requests (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- the SHA-256 id hash of the login session that asked (only it may wait)
    session_hash TEXT NOT NULL,
    resource     TEXT NOT NULL CHECK (resource IN ('User Portal', 'Admin Portal')),
    ip           TEXT NOT NULL,
    -- the browser in words ("Firefox on Linux")
    browser      TEXT NOT NULL,
    -- the number the browser shows and the user types on the device
    number       BIGINT NOT NULL CHECK (number BETWEEN 10 AND 99),
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    -- 'pending' past expires_at reads as expired; the first reader marks it
    status       TEXT NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'approved', 'denied', 'expired', 'cancelled')),
    answered_at  BIGINT,
    user_verified BOOLEAN,
    -- when an approval signed its login in (an approval does that once)
    used_at      BIGINT
);
CREATE INDEX push_requests_outstanding ON push_requests (user_id, status, expires_at);

-- The registry gains the device as a factor of kind 'push' (see 0008 for
-- why the view is dropped and made again).
DROP VIEW confirmed_factors;
CREATE VIEW confirmed_factors AS
    SELECT user_id, 'totp' AS kind, 'totp' AS factor_id, confirmed_at AS since, last_used_at
      FROM totp_factors
     WHERE confirmed_at IS NOT NULL
    UNION ALL
    SELECT user_id, 'webauthn' AS kind, id AS factor_id, created_at AS since, last_used_at
      FROM webauthn_credentials
    UNION ALL
    SELECT user_id, 'push' AS kind, id AS factor_id, enrolled_at AS since, last_used_at
      FROM protect_devices;
