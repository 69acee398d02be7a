-- When each factor was last used, for the admin user details page and the
-- list's "last MFA" column.

-- The time a code of this authenticator app was last accepted. `last_step`
-- only tells which 30-second step the code belonged to (a code of the step
-- before also passes), so the time is recorded when the step is claimed.
ALTER TABLE totp_factors ADD COLUMN last_used_at BIGINT;
-- Before this migration only the step is known: its start is the best guess.
UPDATE totp_factors SET last_used_at = last_step * 30 WHERE last_step >= 0;

-- The registry names each factor (the id an administrator removes it by:
-- the kind for kinds a user has at most one of, the credential's id for
-- the others) and says when it was last used, so the admin pages read every
-- kind from here. A view cannot gain columns in place on both databases:
-- drop it and create it again.
DROP VIEW confirmed_factors;
CREATE VIEW confirmed_factors AS
    SELECT user_id, 'totp' AS kind, 'totp' AS factor_id, confirmed_at AS since, last_used_at
      FROM totp_factors
     WHERE confirmed_at IS NOT NULL;
