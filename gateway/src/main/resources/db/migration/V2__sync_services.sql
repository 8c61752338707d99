-- Sync services pull devices out of inventories and stream them to the gateway.
-- At most one row is the platform (SaaS) sync service: the partial unique index makes the
-- bootstrap race-free across replicas.
CREATE TABLE sync_services (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id         uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name              text        NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    service_type      text        NOT NULL CHECK (service_type IN ('saas', 'on_prem')),
    endpoint          text,
    status            text        NOT NULL DEFAULT 'offline' CHECK (status IN ('online', 'offline', 'degraded')),
    is_platform_sync  boolean     NOT NULL DEFAULT false,
    capabilities      text[]      NOT NULL DEFAULT '{}',
    last_heartbeat_at timestamptz,
    registered_at     timestamptz,
    version           text,
    hostname          text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, name),
    CHECK (is_platform_sync = (service_type = 'saas'))
);
CREATE UNIQUE INDEX sync_services_single_platform ON sync_services (is_platform_sync) WHERE is_platform_sync;
