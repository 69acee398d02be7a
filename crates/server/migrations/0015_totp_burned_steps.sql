-- Time steps of an authenticator app that will never be accepted: a code
-- of a step a few minutes ahead, refused with the clock-skew hint, would
-- otherwise be good once the clock got there, to whoever saw it typed.
-- Kept only until the step is past (and cleared with the user's app).
CREATE TABLE totp_burned_steps (
    user_id TEXT   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    step    BIGINT NOT NULL,
    PRIMARY KEY (user_id, step)
);

-- The per-session limit on open WebAuthn ceremonies counts a session's
-- challenges at every start.
CREATE INDEX challenges_session ON challenges (session_hash);
