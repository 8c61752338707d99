-- Identity of physical devices across sources: each usable MAC and each IP of a tenant's
-- partition points at one canonical device. claimed_at is the first_seen_at of the device that
-- holds the identifier, so a newer device takes an IP from an older one and a replay of the
-- older one does not take it back.
-- Written for every device of every batch, so it has no foreign key (a check per row); a
-- trigger on tenants cleans it up instead.
CREATE TABLE device_identifiers (
    tenant_id           uuid        NOT NULL,
    partition           text COLLATE "C" NOT NULL,
    kind                text COLLATE "C" NOT NULL CHECK (kind IN ('mac', 'ip')),
    value               text COLLATE "C" NOT NULL,
    canonical_device_id uuid        NOT NULL,
    claimed_at          timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, partition, kind, value)
);
-- "does this canonical device have a usable MAC?" (IP merges must not join two different MACs)
CREATE INDEX device_identifiers_canonical_mac ON device_identifiers (canonical_device_id) WHERE kind = 'mac';

CREATE FUNCTION delete_tenant_identifiers() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    DELETE FROM device_identifiers WHERE tenant_id = OLD.id;
    RETURN OLD;
END
$$;

CREATE TRIGGER tenants_delete_identifiers AFTER DELETE ON tenants
    FOR EACH ROW EXECUTE FUNCTION delete_tenant_identifiers();

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
