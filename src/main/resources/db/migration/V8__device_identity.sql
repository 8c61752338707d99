-- Identity of physical devices across sources: each usable MAC and each IP of a tenant's
-- partition points at one canonical device. claimed_at is the first_seen_at of the device that
-- holds the identifier, so a newer device takes an IP from an older one and a replay of the
-- older one does not take it back.
CREATE TABLE device_identifiers (
    tenant_id           uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    partition           text        NOT NULL,
    kind                text        NOT NULL CHECK (kind IN ('mac', 'ip')),
    value               text        NOT NULL,
    canonical_device_id uuid        NOT NULL,
    claimed_at          timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, partition, kind, value)
);
CREATE INDEX device_identifiers_canonical ON device_identifiers (canonical_device_id);

-- Every time a reported device joined an existing canonical device, or took an IP from one.
CREATE TABLE device_merges (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id            uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    partition            text        NOT NULL,
    discovered_device_id uuid        NOT NULL REFERENCES discovered_devices (id) ON DELETE CASCADE,
    canonical_device_id  uuid        NOT NULL,
    reason               text        NOT NULL CHECK (reason IN ('mac', 'ip', 'ip_moved')),
    key                  text        NOT NULL,
    previous_canonical_device_id uuid,
    merged_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX device_merges_device ON device_merges (discovered_device_id);
