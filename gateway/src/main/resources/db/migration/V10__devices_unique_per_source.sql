-- Devices were unique per (tenant, source type, device id): two sources of one type in one tenant
-- (two NetBox instances, two faker sources) overwrote each other's rows, and deleting one
-- deleted the other's devices. A row now belongs to the integration source that reported it;
-- the same device seen by two sources is two rows joined by identity. Existing rows already
-- satisfy the narrower key, so they all stay.
ALTER TABLE discovered_devices
    ADD CONSTRAINT discovered_devices_source_identity UNIQUE (tenant_id, integration_source_id, device_id);
ALTER TABLE discovered_devices DROP CONSTRAINT discovered_devices_identity;

-- The new key's index serves the delete trigger too (tenant and source lead it).
DROP INDEX discovered_devices_source;

CREATE OR REPLACE FUNCTION delete_source_devices() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    DELETE FROM discovered_devices WHERE tenant_id = OLD.tenant_id AND integration_source_id = OLD.id;
    RETURN OLD;
END
$$;
