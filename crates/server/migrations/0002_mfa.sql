-- MFA requirement and enrollment period, TOTP factors, email outbox.

ALTER TABLE users ADD COLUMN mfa_required BOOLEAN NOT NULL DEFAULT FALSE;
-- End of the enrollment period; NULL while required means "no period: set up
-- at the next login".
ALTER TABLE users ADD COLUMN mfa_deadline BIGINT;
-- When the requirement (and so the period) started.
ALTER TABLE users ADD COLUMN mfa_required_at BIGINT;
-- The 24-hour reminder for the current deadline went out at this time.
ALTER TABLE users ADD COLUMN mfa_reminder_sent_at BIGINT;
-- The last TOTP time step accepted for this user: no step at or before it
-- is accepted again (replay), whichever authenticator produced it.
ALTER TABLE users ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT -1;

CREATE INDEX users_mfa_deadline ON users (mfa_deadline);

-- One authenticator-app factor per user. It is pending until the first
-- valid code confirms it.
CREATE TABLE totp_factors (
    user_id      TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret       TEXT NOT NULL,          -- base32; never logged
    created_at   BIGINT NOT NULL,
    confirmed_at BIGINT                  -- NULL: pending enrollment
);

-- Emails to send. A delivery worker sends them over SMTP when configured;
-- until then they stay here (and admins can read them).
CREATE TABLE outbox (
    id         TEXT PRIMARY KEY,
    created_at BIGINT NOT NULL,
    user_id    TEXT REFERENCES users (id) ON DELETE SET NULL,
    to_addr    TEXT NOT NULL,
    kind       TEXT NOT NULL,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    sent_at    BIGINT,
    attempts   BIGINT NOT NULL DEFAULT 0,
    -- Not before this time: a retry's backoff, or another instance's claim.
    next_attempt_at BIGINT NOT NULL DEFAULT 0,
    last_error TEXT
);
CREATE INDEX outbox_unsent ON outbox (sent_at, next_attempt_at);
CREATE INDEX outbox_user ON outbox (user_id, created_at);
