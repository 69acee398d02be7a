-- A host may keep what checks its users' authenticator codes, for logins
-- while the portal cannot be reached (off unless an administrator says).
ALTER TABLE hosts ADD COLUMN offline_totp BOOLEAN NOT NULL DEFAULT FALSE;
