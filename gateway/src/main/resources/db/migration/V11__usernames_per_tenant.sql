-- A tenant admin's user name is unique within its tenant only, so creating one tells nobody which
-- names other tenants use; tenant users sign in as "<tenant slug>/<user name>", platform admins by
-- their bare name. Tenant users from before keep signing in by their bare name too: those names were
-- unique across the gateway, and stay reserved beside the platform admins'.
ALTER TABLE users ADD COLUMN legacy_bare_login boolean NOT NULL DEFAULT false;
UPDATE users SET legacy_bare_login = true WHERE tenant_id IS NOT NULL;
ALTER TABLE users DROP CONSTRAINT users_username_key;
CREATE UNIQUE INDEX users_bare_login ON users (username) WHERE tenant_id IS NULL OR legacy_bare_login;
CREATE UNIQUE INDEX users_tenant_username ON users (tenant_id, username) WHERE tenant_id IS NOT NULL;
