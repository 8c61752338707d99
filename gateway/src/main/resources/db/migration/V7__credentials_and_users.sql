-- Bearer credentials of the gRPC API. Only a SHA-256 of the token is kept: tokens carry 256
-- random bits, so a fast hash is enough and lookups stay cheap.
CREATE TABLE credentials (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    kind            text        NOT NULL CHECK (kind IN ('agent_enrollment', 'sync_service', 'platform_sync')),
    tenant_id       uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    sync_service_id uuid REFERENCES sync_services (id) ON DELETE CASCADE,
    token_hash      bytea       NOT NULL UNIQUE,
    token_prefix    text        NOT NULL, -- enough to recognise a token in logs, never enough to use it
    label           text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    revoked_at      timestamptz,
    CHECK ((kind = 'agent_enrollment') = (sync_service_id IS NULL))
);
CREATE INDEX credentials_sync_service ON credentials (sync_service_id) WHERE revoked_at IS NULL;

-- Web UI and REST users.
CREATE TABLE users (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    username      text        NOT NULL UNIQUE CHECK (username ~ '^[A-Za-z0-9._@-]{1,64}$'),
    password_hash text        NOT NULL,
    role          text        NOT NULL CHECK (role IN ('PLATFORM_ADMIN', 'TENANT_ADMIN')),
    tenant_id     uuid REFERENCES tenants (id) ON DELETE CASCADE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CHECK ((role = 'TENANT_ADMIN') = (tenant_id IS NOT NULL))
);
