-- An account an administrator suspended: no login, no session, no link
-- until reactivated (NULL: active). Its data stays.
ALTER TABLE users ADD COLUMN suspended_at BIGINT;
