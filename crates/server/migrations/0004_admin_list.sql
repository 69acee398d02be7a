-- The admin users list at scale: filters and sorts that an index or a
-- plain column can answer, without a subquery per row.

-- Whether the user has any confirmed second factor: a copy of what the
-- confirmed_factors view says, kept by the store in the same transaction as
-- every factor change (store/factors.rs), so status filters are a column test.
ALTER TABLE users ADD COLUMN has_factor BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE users SET has_factor = TRUE
 WHERE EXISTS (SELECT 1 FROM confirmed_factors f WHERE f.user_id = users.id);

-- Keyset paging by name and by deadline (users without one sort last);
-- the email, unique, breaks ties in both.
CREATE INDEX users_name_order ON users (LOWER(display_name), email);
CREATE INDEX users_deadline_order ON users (COALESCE(mfa_deadline, 9223372036854775807), email);
