-- The admin users list in deadline order: the index of 0004 with the
-- columns every status and requirement filter tests. A filter that matches
-- few of the users with a deadline (no MFA, set up but not required, a
-- factor kind) walks past all of them before reaching those without; with
-- these columns in the index each is turned down from the index entry,
-- without reading its row. The key and the email stay first: the order
-- and the keyset cursor are unchanged.
DROP INDEX users_deadline_order;
CREATE INDEX users_deadline_list ON users (
    COALESCE(mfa_deadline, 9223372036854775807), email, has_factor, mfa_required, role, mfa_deadline
);
