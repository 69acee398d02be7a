-- Sites behind the organisation's reverse proxy (forward-auth) are apps of
-- another kind: they share the assignments, sign-in requests, tiles and
-- events of OpenID Connect apps, have a domain instead of redirect URIs,
-- and no secret, codes or tokens.
ALTER TABLE apps ADD COLUMN kind TEXT NOT NULL DEFAULT 'oidc';
-- for a site: host, *.parent or IPv4, optionally :port, in lower case
ALTER TABLE apps ADD COLUMN domain TEXT;
CREATE UNIQUE INDEX apps_domain ON apps (domain);
