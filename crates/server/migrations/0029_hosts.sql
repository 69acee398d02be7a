-- Hosts (Linux servers and desktops whose PAM stack asks for a second
-- factor after the password) are apps of kind 'host': names, assignments
-- and events are the apps' own; the policy is 'second_factor' (MFA on)
-- or 'no_mfa' (off). What only a host has is kept here.
CREATE TABLE hosts (
    app_id           TEXT PRIMARY KEY REFERENCES apps (id) ON DELETE CASCADE,
    -- deny | pass: a user name Portcullis does not know
    unknown_users    TEXT NOT NULL,
    -- the host's Ed25519 public key (base64url), once enrolled
    public_key       TEXT,
    -- the keyed hash of its one outstanding enrollment token
    token_hash       TEXT UNIQUE,
    token_expires_at BIGINT,
    enrolled_at      BIGINT,
    last_seen_at     BIGINT
);

-- The nonces of a host's signed requests, kept while a replay could
-- still pass the time window.
CREATE TABLE host_nonces (
    host_id TEXT NOT NULL REFERENCES hosts (app_id) ON DELETE CASCADE,
    nonce   TEXT NOT NULL,
    seen_at BIGINT NOT NULL,
    PRIMARY KEY (host_id, nonce)
);
CREATE INDEX host_nonces_seen ON host_nonces (seen_at);
