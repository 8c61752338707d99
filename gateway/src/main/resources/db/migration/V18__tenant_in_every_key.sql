-- Every key of a table distributed by tenant holds tenant_id (what Citus needs to distribute the
-- schema by tenant, docs/scale-out.md; SchemaTest.everyTenantScopedKeyIncludesTheTenant checks it).
-- Reference tables (tenants, sync_services, credentials, users) and integration_sources (small,
-- looked up by id alone when a sync service names its source) keep their keys.

ALTER TABLE device_merges DROP CONSTRAINT device_merges_discovered_device_id_fkey;

ALTER TABLE discovered_devices DROP CONSTRAINT discovered_devices_pkey;
ALTER TABLE discovered_devices ADD CONSTRAINT discovered_devices_pkey PRIMARY KEY (tenant_id, id);

ALTER TABLE device_merges DROP CONSTRAINT device_merges_pkey;
ALTER TABLE device_merges ADD CONSTRAINT device_merges_pkey PRIMARY KEY (tenant_id, id);
DROP INDEX device_merges_device;
CREATE INDEX device_merges_device ON device_merges (tenant_id, discovered_device_id);
ALTER TABLE device_merges ADD CONSTRAINT device_merges_discovered_device_id_fkey
    FOREIGN KEY (tenant_id, discovered_device_id) REFERENCES discovered_devices (tenant_id, id) ON DELETE CASCADE;
