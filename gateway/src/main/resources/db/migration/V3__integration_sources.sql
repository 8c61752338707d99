-- Integration sources: one inventory (Armis, NetBox, faker, ...) configured for a tenant.
CREATE TABLE integration_sources (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id         uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name              text        NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    source_type       text        NOT NULL,
    endpoint          text,
    credentials       bytea,      -- AES-GCM ciphertext of a JSON object, never plain text
    agent_uid         text,
    partition         text        NOT NULL DEFAULT 'default',
    poll_interval_sec integer     NOT NULL DEFAULT 3600 CHECK (poll_interval_sec > 0),
    default_ports     integer[]   NOT NULL DEFAULT '{}',
    sweep_modes       text[]      NOT NULL DEFAULT '{}',
    network_prefix    integer     CHECK (network_prefix BETWEEN 8 AND 32), -- IPv4 prefix; IPv6 widened by as many host bits
    settings          jsonb       NOT NULL DEFAULT '{}',
    enabled           boolean     NOT NULL DEFAULT true,
    last_sync_at      timestamptz,
    last_device_count integer     NOT NULL DEFAULT 0,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, name)
);
