package io.fleetgate.tenant;

import io.fleetgate.database.Binds;
import java.util.Map;
import java.util.UUID;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Mono;

/** The {@code saas_quotas} table: per-tenant overrides of the SaaS sync quotas, merged over the defaults. */
@Repository
class SaasQuotaRepository {

    private final DatabaseClient database;
    private final SaasQuota defaults;

    SaasQuotaRepository(DatabaseClient database, SaasQuotaProperties properties) {
        this.database = database;
        this.defaults = properties.defaults();
    }

    SaasQuota defaults() {
        return defaults;
    }

    Mono<SaasQuota> effective(UUID tenant) {
        return database.sql("SELECT max_sources, max_devices_per_run, min_poll_interval_sec FROM saas_quotas WHERE tenant_id = :tenant")
                .bind("tenant", tenant)
                .map((row, meta) -> defaults.with(row.get("max_sources", Integer.class), row.get("max_devices_per_run", Integer.class),
                        row.get("min_poll_interval_sec", Integer.class)))
                .one()
                .defaultIfEmpty(defaults);
    }

    /** Every overridden tenant's quota, in one statement (tenants not in it have the defaults). */
    Mono<Map<UUID, SaasQuota>> overridden() {
        return database.sql("SELECT tenant_id, max_sources, max_devices_per_run, min_poll_interval_sec FROM saas_quotas")
                .map((row, meta) -> Map.entry(row.get("tenant_id", UUID.class), defaults.with(row.get("max_sources", Integer.class),
                        row.get("max_devices_per_run", Integer.class), row.get("min_poll_interval_sec", Integer.class))))
                .all()
                .collectMap(Map.Entry::getKey, Map.Entry::getValue);
    }

    /** Stores the overrides (null columns fall back to the defaults). */
    Mono<Void> save(UUID tenant, Integer maxSources, Integer maxDevicesPerRun, Integer minPollIntervalSec) {
        var spec = database.sql("""
                INSERT INTO saas_quotas (tenant_id, max_sources, max_devices_per_run, min_poll_interval_sec)
                VALUES (:tenant, :sources, :devices, :poll)
                ON CONFLICT (tenant_id) DO UPDATE SET max_sources = EXCLUDED.max_sources,
                    max_devices_per_run = EXCLUDED.max_devices_per_run,
                    min_poll_interval_sec = EXCLUDED.min_poll_interval_sec, updated_at = now()""")
                .bind("tenant", tenant);
        spec = Binds.nullable(spec, "sources", maxSources, Integer.class);
        spec = Binds.nullable(spec, "devices", maxDevicesPerRun, Integer.class);
        spec = Binds.nullable(spec, "poll", minPollIntervalSec, Integer.class);
        return spec.fetch().rowsUpdated().then();
    }
}
