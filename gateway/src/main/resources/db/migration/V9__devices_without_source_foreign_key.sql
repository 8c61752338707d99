-- The foreign key from discovered_devices to integration_sources cost a lookup in
-- integration_sources for every stored device (a trigger call per row). Ingest now locks the
-- source row once per batch instead (its UPDATE of last_sync_at, which fails the batch when the
-- source is gone), and deleting a source deletes its devices through this trigger.
ALTER TABLE discovered_devices DROP CONSTRAINT discovered_devices_integration_source_id_fkey;

CREATE FUNCTION delete_source_devices() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    DELETE FROM discovered_devices WHERE integration_source_id = OLD.id;
    RETURN OLD;
END
$$;

CREATE TRIGGER integration_sources_delete_devices AFTER DELETE ON integration_sources
    FOR EACH ROW EXECUTE FUNCTION delete_source_devices();
