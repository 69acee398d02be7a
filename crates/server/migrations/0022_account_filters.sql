-- The users list filtered to invited or to suspended accounts, in email
-- order: a page reads only those accounts, however many users there are.
CREATE INDEX users_invited_email ON users (email) WHERE password_hash = '';
CREATE INDEX users_suspended_email ON users (email) WHERE suspended_at IS NOT NULL;
