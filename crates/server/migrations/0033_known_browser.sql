-- Whether a session's login came from a browser that had signed in as the
-- user before (it held their device cookie). Logins in progress are capped
-- per user within each kind, so logins from unknown browsers (someone
-- holding only the password) cannot end the owner's, and the owner's get
-- a push slot of their own.
ALTER TABLE sessions ADD COLUMN known_browser BOOLEAN NOT NULL DEFAULT FALSE;
