-- Every integration source runs on a sync service: the platform (SaaS) one or one of its own
-- tenant's on-prem ones. Added to a table that may already hold rows: those go to the
-- platform sync service.
ALTER TABLE integration_sources ADD COLUMN sync_service_id uuid REFERENCES sync_services (id);

UPDATE integration_sources
   SET sync_service_id = (SELECT id FROM sync_services WHERE is_platform_sync)
 WHERE sync_service_id IS NULL;

ALTER TABLE integration_sources ALTER COLUMN sync_service_id SET NOT NULL;
CREATE INDEX integration_sources_sync_service ON integration_sources (sync_service_id);

CREATE FUNCTION integration_source_sync_service_check() RETURNS trigger
    LANGUAGE plpgsql AS
$$
DECLARE
    owner    uuid;
    platform boolean;
BEGIN
    SELECT tenant_id, is_platform_sync INTO owner, platform FROM sync_services WHERE id = NEW.sync_service_id;
    IF NOT FOUND THEN
        RETURN NEW; -- the foreign key reports it
    END IF;
    IF NOT platform AND owner <> NEW.tenant_id THEN
        RAISE EXCEPTION 'sync service % belongs to another tenant', NEW.sync_service_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'integration_sources_sync_service_tenant';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER integration_sources_sync_service_tenant
    BEFORE INSERT OR UPDATE OF sync_service_id, tenant_id ON integration_sources
    FOR EACH ROW EXECUTE FUNCTION integration_source_sync_service_check();
