-- Protect push, the organisation's side: the push limit (push bombing),
-- the biometric policy, unified mode; the device's "This wasn't me"
-- report and the mute it starts; the TOTP key a unified enrollment gives
-- the device.

-- At most push_max_concurrent pushes waiting per user and portal while
-- push_limit_enabled.
ALTER TABLE org_settings ADD COLUMN push_limit_enabled BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE org_settings ADD COLUMN push_max_concurrent BIGINT NOT NULL DEFAULT 1
    CHECK (push_max_concurrent BETWEEN 1 AND 10);
-- Whether an approval needs the device to have verified its user.
ALTER TABLE org_settings ADD COLUMN push_biometric TEXT NOT NULL DEFAULT 'never'
    CHECK (push_biometric IN ('never', 'if_enabled', 'always'));
-- 'unified': one QR code enrolls the device for push and as the
-- authenticator app.
ALTER TABLE org_settings ADD COLUMN protect_mode TEXT NOT NULL DEFAULT 'separate'
    CHECK (protect_mode IN ('separate', 'unified'));
-- The last merge (users see a banner once after it); NULL: separate.
ALTER TABLE org_settings ADD COLUMN protect_merged_at BIGINT;

-- Why a push was denied when the device did not simply deny it:
-- 'wrong_number', 'user_verification' (the biometric policy), 'fraud'.
ALTER TABLE push_requests ADD COLUMN deny_reason TEXT;
-- When the device reported it as "This wasn't me".
ALTER TABLE push_requests ADD COLUMN reported_at BIGINT;

-- A user's pushes muted after a fraud report, until muted_until.
CREATE TABLE push_mutes (
    user_id     TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    -- the push reported
    push_id     TEXT NOT NULL,
    reported_at BIGINT NOT NULL,
    muted_until BIGINT NOT NULL
);

-- TRUE: the key was given to the Protect device at a unified enrollment
-- (the device shows the codes); FALSE: any authenticator app.
ALTER TABLE totp_factors ADD COLUMN on_device BOOLEAN NOT NULL DEFAULT FALSE;

-- When the user saw the banner about the last merge; NULL: never.
ALTER TABLE users ADD COLUMN protect_merge_seen_at BIGINT;
