-- Tenants own integration sources, devices, agents and on-prem sync services.
-- The platform tenant (slug 'platform') owns the SaaS sync service; at most one exists.
CREATE TABLE tenants (
    id          uuid PRIMARY KEY,
    slug        text        NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    name        text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    is_platform boolean     NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (id <> '00000000-0000-0000-0000-000000000000'),
    CHECK (NOT is_platform OR slug = 'platform')
);
CREATE UNIQUE INDEX tenants_single_platform ON tenants (is_platform) WHERE is_platform;
