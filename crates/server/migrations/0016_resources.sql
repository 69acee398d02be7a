-- What a login is for (the resource): recorded on the session it makes and
-- on the audit events about it. Today the portal's two halves; apps, hosts
-- and RADIUS clients come next. Sessions made before this were portal
-- logins: an administrator's was for the Admin Portal.
ALTER TABLE sessions ADD COLUMN resource TEXT NOT NULL DEFAULT 'User Portal';
UPDATE sessions SET resource = 'Admin Portal'
 WHERE user_id IN (SELECT id FROM users WHERE role IN ('admin', 'billing_admin'));
ALTER TABLE audit_events ADD COLUMN resource TEXT;
