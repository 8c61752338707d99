-- Every device a source reported, one row per (tenant, source type, source's device id).
-- canonical_device_id groups rows that are the same physical device (see device_identifiers).
-- No foreign key to tenants: the source's already ties the row to its tenant (and cascades), and
-- every foreign key costs a check per row on the ingest path.
CREATE TABLE discovered_devices (
    id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id             uuid        NOT NULL,
    integration_source_id uuid        NOT NULL REFERENCES integration_sources (id) ON DELETE CASCADE,
    device_id             text COLLATE "C" NOT NULL, -- "C": identity keys compare bytes, not locales
    source_type           text COLLATE "C" NOT NULL,
    ip_addresses          text[]      NOT NULL,
    mac_addresses         text[]      NOT NULL DEFAULT '{}',
    hostname              text,
    device_type           text,
    manufacturer          text,
    model                 text,
    ports                 integer[]   NOT NULL DEFAULT '{}',
    raw_data              jsonb       NOT NULL DEFAULT '{}',
    raw_data_ports        integer[]   NOT NULL DEFAULT '{}', -- "ports"/"services[].port" of raw_data, extracted at ingest
    agent_uid             text,       -- as reported; NULL means the source's default agent
    partition             text        NOT NULL DEFAULT 'default',
    canonical_device_id   uuid        NOT NULL,
    first_seen_at         timestamptz NOT NULL,
    last_seen_at          timestamptz NOT NULL,
    CONSTRAINT discovered_devices_identity UNIQUE (tenant_id, source_type, device_id)
);
-- Most devices are swept by their source's default agent (agent_uid NULL): index only the others.
CREATE INDEX discovered_devices_agent ON discovered_devices (tenant_id, agent_uid) WHERE agent_uid IS NOT NULL;
CREATE INDEX discovered_devices_source ON discovered_devices (integration_source_id);
