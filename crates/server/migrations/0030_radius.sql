-- RADIUS clients (VPN gateways, network gear) are apps of kind 'radius':
-- names, assignments and events are the apps' own. Each has the address
-- it sends from (an IP address or a CIDR block) and its shared secret,
-- sealed with the server's encryption key (RADIUS needs it in clear to
-- check and sign packets, so a hash will not do).
CREATE TABLE radius_clients (
    app_id        TEXT PRIMARY KEY REFERENCES apps (id) ON DELETE CASCADE,
    address       TEXT NOT NULL,
    secret_sealed TEXT NOT NULL
);

-- A login waiting for its second factor between an Access-Challenge and
-- the next Access-Request, which brings the State back: kept hashed,
-- single use, a few minutes.
CREATE TABLE radius_challenges (
    state_hash TEXT PRIMARY KEY,
    client_id  TEXT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    push_id    TEXT,
    expires_at BIGINT NOT NULL
);
CREATE INDEX radius_challenges_expiry ON radius_challenges (expires_at);
