-- Recovery codes: ten single-use codes per user, standing in for a second
-- factor when the phone or key is lost. Only a keyed hash of each code is
-- stored (HMAC-SHA256 under a key kept outside the database, see
-- `secret.rs`), so neither this table nor a copy of it reveals a code.
-- They are not a factor of their own: the `confirmed_factors` view leaves
-- them out, so they count neither for the MFA status nor for the rule that
-- keeps a required user's last factor.
CREATE TABLE recovery_codes (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- hex HMAC-SHA256 of the user's id and the normalised code
    hash       TEXT NOT NULL,
    -- when the set this code belongs to was generated (a new set replaces
    -- every older code)
    created_at BIGINT NOT NULL,
    -- NULL: not used yet. A used code stays, so a second use can be told
    -- apart from a wrong code, until the next set replaces it.
    used_at    BIGINT,
    PRIMARY KEY (user_id, hash)
);
