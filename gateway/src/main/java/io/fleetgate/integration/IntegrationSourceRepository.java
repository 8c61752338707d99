package io.fleetgate.integration;

import static io.fleetgate.database.Timestamps.instant;

import io.fleetgate.database.Binds;
import io.fleetgate.database.SqlArrays;
import io.fleetgate.error.GatewayException;
import io.r2dbc.postgresql.codec.Json;
import io.r2dbc.spi.Row;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** The {@code integration_sources} table. */
@Repository
class IntegrationSourceRepository {

    private static final String COLUMNS = """
            id, tenant_id, name, source_type, endpoint, credentials, sync_service_id, agent_uid, partition,
            poll_interval_sec, default_ports, sweep_modes, network_prefix, settings, enabled, last_sync_at,
            last_device_count, created_at, updated_at""";
    private static final TypeReference<Map<String, Object>> SETTINGS = new TypeReference<>() {
    };

    private final DatabaseClient database;
    private final JsonMapper json = JsonMapper.shared();

    IntegrationSourceRepository(DatabaseClient database) {
        this.database = database;
    }

    Mono<IntegrationSource> insert(UUID id, SourceSpec spec, byte[] credentials) {
        return bindAll(database.sql("""
                        INSERT INTO integration_sources (id, tenant_id, name, source_type, endpoint, credentials, sync_service_id,
                            agent_uid, partition, poll_interval_sec, default_ports, sweep_modes, network_prefix, settings, enabled)
                        VALUES (:id, :tenant, :name, :type, :endpoint, :credentials, :syncService, :agent, :partition, :poll,
                            :ports, :modes, :prefix, :settings, :enabled)
                        """ + "RETURNING " + COLUMNS), id, spec, credentials)
                .map((row, meta) -> map(row))
                .one()
                .onErrorMap(DataIntegrityViolationException.class, e -> conflict(spec));
    }

    Mono<IntegrationSource> update(UUID id, SourceSpec spec, byte[] credentials) {
        return bindAll(database.sql("""
                        UPDATE integration_sources
                           SET name = :name, source_type = :type, endpoint = :endpoint, credentials = :credentials,
                               sync_service_id = :syncService, agent_uid = :agent, partition = :partition,
                               poll_interval_sec = :poll, default_ports = :ports, sweep_modes = :modes,
                               network_prefix = :prefix, settings = :settings, enabled = :enabled, updated_at = now()
                         WHERE id = :id AND tenant_id = :tenant
                        """ + "RETURNING " + COLUMNS), id, spec, credentials)
                .map((row, meta) -> map(row))
                .one()
                .onErrorMap(DataIntegrityViolationException.class, e -> conflict(spec));
    }

    private DatabaseClient.GenericExecuteSpec bindAll(DatabaseClient.GenericExecuteSpec spec, UUID id, SourceSpec source,
                                                       byte[] credentials) {
        spec = spec.bind("id", id)
                .bind("tenant", source.tenantId())
                .bind("name", source.name())
                .bind("type", source.type().id())
                .bind("syncService", source.syncServiceId())
                .bind("partition", source.partition())
                .bind("poll", source.pollIntervalSec())
                .bind("ports", SqlArrays.integers(source.defaultPorts()))
                .bind("modes", SqlArrays.text(source.sweepModes()))
                .bind("settings", Json.of(json.writeValueAsString(source.settings())))
                .bind("enabled", source.enabled());
        spec = Binds.nullable(spec, "endpoint", source.endpoint(), String.class);
        spec = Binds.nullable(spec, "credentials", credentials, byte[].class);
        spec = Binds.nullable(spec, "agent", source.agentUid(), String.class);
        return Binds.nullable(spec, "prefix", source.networkPrefix(), Integer.class);
    }

    private static GatewayException conflict(SourceSpec spec) {
        return GatewayException.alreadyExists("name", "the tenant already has an integration named '" + spec.name() + "'");
    }

    Mono<IntegrationSource> find(UUID id) {
        return database.sql("SELECT " + COLUMNS + " FROM integration_sources WHERE id = :id")
                .bind("id", id)
                .map((row, meta) -> map(row))
                .one();
    }

    /** Sources of a tenant, or of every tenant when null. */
    Flux<IntegrationSource> findByTenant(UUID tenantId) {
        if (tenantId == null) {
            return database.sql("SELECT " + COLUMNS + " FROM integration_sources ORDER BY tenant_id, name")
                    .map((row, meta) -> map(row)).all();
        }
        return database.sql("SELECT " + COLUMNS + " FROM integration_sources WHERE tenant_id = :tenant ORDER BY name")
                .bind("tenant", tenantId)
                .map((row, meta) -> map(row)).all();
    }

    /** The enabled sources a sync service runs, in a stable order. */
    Flux<IntegrationSource> enabledFor(UUID syncServiceId) {
        return database.sql("SELECT " + COLUMNS + " FROM integration_sources WHERE sync_service_id = :sync AND enabled ORDER BY tenant_id, id")
                .bind("sync", syncServiceId)
                .map((row, meta) -> map(row)).all();
    }

    /** Sources using a sync service (of one tenant, or all when null), each with its device count. */
    Flux<SourceUsage> usage(UUID syncServiceId, UUID tenantId) {
        String tenantFilter = tenantId == null ? "" : " AND s.tenant_id = :tenant";
        var spec = database.sql("""
                        SELECT s.id, s.tenant_id, s.name, s.source_type, s.enabled, s.last_sync_at,
                               (SELECT count(*) FROM discovered_devices d WHERE d.integration_source_id = s.id) AS devices
                          FROM integration_sources s WHERE s.sync_service_id = :sync""" + tenantFilter + " ORDER BY s.name")
                .bind("sync", syncServiceId);
        if (tenantId != null) {
            spec = spec.bind("tenant", tenantId);
        }
        return spec.map((row, meta) -> new SourceUsage(row.get("id", UUID.class), row.get("tenant_id", UUID.class),
                        row.get("name", String.class), row.get("source_type", String.class),
                        Boolean.TRUE.equals(row.get("enabled", Boolean.class)),
                        instant(row.get("last_sync_at", OffsetDateTime.class)), row.get("devices", Long.class)))
                .all();
    }

    /**
     * Device counts of the tenant's sources, from the counter ingest keeps in the transaction that
     * creates the rows (rows go only with their source): counting a million rows took a second.
     */
    Flux<Map.Entry<UUID, Long>> deviceCounts(UUID tenantId) {
        return database.sql("SELECT id, last_device_count::bigint AS devices FROM integration_sources WHERE tenant_id = :tenant")
                .bind("tenant", tenantId)
                .map((row, meta) -> Map.entry(row.get("id", UUID.class), row.get("devices", Long.class)))
                .all();
    }

    Mono<Long> delete(UUID id, UUID tenantId) {
        return database.sql("DELETE FROM integration_sources WHERE id = :id AND tenant_id = :tenant")
                .bind("id", id)
                .bind("tenant", tenantId)
                .fetch().rowsUpdated();
    }

    private IntegrationSource map(Row row) {
        Json settings = row.get("settings", Json.class);
        return new IntegrationSource(
                row.get("id", UUID.class),
                row.get("tenant_id", UUID.class),
                row.get("name", String.class),
                row.get("source_type", String.class),
                row.get("endpoint", String.class),
                row.get("credentials", byte[].class),
                row.get("sync_service_id", UUID.class),
                row.get("agent_uid", String.class),
                row.get("partition", String.class),
                row.get("poll_interval_sec", Integer.class),
                SqlArrays.list(row.get("default_ports", Integer[].class)),
                SqlArrays.list(row.get("sweep_modes", String[].class)),
                row.get("network_prefix", Integer.class),
                settings == null ? Map.of() : json.readValue(settings.asString(), SETTINGS),
                Boolean.TRUE.equals(row.get("enabled", Boolean.class)),
                instant(row.get("last_sync_at", OffsetDateTime.class)),
                row.get("last_device_count", Integer.class),
                instant(row.get("created_at", OffsetDateTime.class)),
                instant(row.get("updated_at", OffsetDateTime.class)));
    }

    /**
     * How many of the tenant's sources the SaaS sync runs, other than {@code excluding}; locks the
     * tenant's row first so that concurrent creations are counted one after the other.
     */
    Mono<Long> saasSourceCount(UUID tenant, UUID excluding) {
        return database.sql("SELECT id FROM tenants WHERE id = :tenant FOR UPDATE").bind("tenant", tenant).fetch().all()
                .then(database.sql("""
                                SELECT count(*) AS sources FROM integration_sources s JOIN sync_services ss ON ss.id = s.sync_service_id
                                WHERE s.tenant_id = :tenant AND ss.is_platform_sync AND s.id <> :excluding""")
                        .bind("tenant", tenant)
                        .bind("excluding", excluding)
                        .map((row, meta) -> row.get("sources", Long.class))
                        .one());
    }
}
