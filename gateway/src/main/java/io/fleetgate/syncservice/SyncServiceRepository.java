package io.fleetgate.syncservice;

import static io.fleetgate.database.Timestamps.at;
import static io.fleetgate.database.Timestamps.instant;

import io.fleetgate.database.Binds;
import io.fleetgate.database.SqlArrays;
import io.fleetgate.error.GatewayException;
import io.r2dbc.spi.Row;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The {@code sync_services} table. Status rows are returned as stored; the service applies the read rule. */
@Repository
class SyncServiceRepository {

    private static final String COLUMNS = """
            id, tenant_id, name, service_type, endpoint, status, is_platform_sync, capabilities, last_heartbeat_at,
            registered_at, version, hostname, created_at""";

    private final DatabaseClient database;

    SyncServiceRepository(DatabaseClient database) {
        this.database = database;
    }

    Mono<SyncService> createOnPrem(UUID tenantId, String name) {
        return database.sql("INSERT INTO sync_services (tenant_id, name, service_type) VALUES (:tenant, :name, 'on_prem') RETURNING " + COLUMNS)
                .bind("tenant", tenantId)
                .bind("name", name)
                .map((row, meta) -> map(row))
                .one()
                .onErrorMap(DataIntegrityViolationException.class,
                        e -> GatewayException.alreadyExists("name", "the tenant already has a sync service named '" + name + "'"));
    }

    Mono<SyncService> find(UUID id) {
        return database.sql("SELECT " + COLUMNS + " FROM sync_services WHERE id = :id")
                .bind("id", id)
                .map((row, meta) -> map(row))
                .one();
    }

    /** The platform sync service and those of the tenant; every sync service when tenant is null. */
    Flux<SyncService> usableBy(UUID tenantId) {
        if (tenantId == null) {
            return database.sql("SELECT " + COLUMNS + " FROM sync_services ORDER BY is_platform_sync DESC, name")
                    .map((row, meta) -> map(row)).all();
        }
        return database.sql("SELECT " + COLUMNS + " FROM sync_services WHERE is_platform_sync OR tenant_id = :tenant ORDER BY is_platform_sync DESC, name")
                .bind("tenant", tenantId)
                .map((row, meta) -> map(row)).all();
    }

    Mono<Boolean> hasOnPrem(UUID tenantId) {
        return database.sql("SELECT EXISTS (SELECT 1 FROM sync_services WHERE tenant_id = :tenant AND NOT is_platform_sync) AS present")
                .bind("tenant", tenantId)
                .map((row, meta) -> Boolean.TRUE.equals(row.get("present", Boolean.class)))
                .one();
    }

    /** Registration: stores what the sync service says of itself and marks it online. */
    Mono<StatusTransition> hello(UUID id, String endpoint, String version, List<String> capabilities, String hostname, Instant now) {
        var spec = database.sql("""
                        WITH previous AS (SELECT id, status FROM sync_services WHERE id = :id FOR UPDATE)
                        UPDATE sync_services s
                           SET endpoint = coalesce(:endpoint, s.endpoint), version = :version, capabilities = :capabilities,
                               hostname = :hostname, registered_at = coalesce(s.registered_at, :now), last_heartbeat_at = :now,
                               status = 'online', updated_at = :now
                          FROM previous WHERE s.id = previous.id
                        RETURNING s.id, s.tenant_id, s.name, previous.status AS old_status, s.status AS new_status""")
                .bind("id", id)
                .bind("capabilities", SqlArrays.text(capabilities))
                .bind("now", at(now));
        spec = Binds.nullable(spec, "endpoint", endpoint, String.class);
        spec = Binds.nullable(spec, "version", version, String.class);
        spec = Binds.nullable(spec, "hostname", hostname, String.class);
        return spec.map((row, meta) -> transition(row, now))
                .one();
    }

    /** A heartbeat: online or degraded as the service reports, from now on. */
    Mono<StatusTransition> heartbeat(UUID id, SyncStatus status, Instant now) {
        return database.sql("""
                        WITH previous AS (SELECT id, status FROM sync_services WHERE id = :id FOR UPDATE)
                        UPDATE sync_services s SET last_heartbeat_at = :now, status = :status, updated_at = :now
                          FROM previous WHERE s.id = previous.id
                        RETURNING s.id, s.tenant_id, s.name, previous.status AS old_status, s.status AS new_status""")
                .bind("id", id)
                .bind("status", status.dbValue())
                .bind("now", at(now))
                .map((row, meta) -> transition(row, now))
                .one();
    }

    /** Traffic counts as a heartbeat: an offline service comes online, a degraded one stays degraded. */
    Mono<StatusTransition> traffic(UUID id, Instant now) {
        return database.sql("""
                        WITH previous AS (SELECT id, status FROM sync_services WHERE id = :id FOR UPDATE)
                        UPDATE sync_services s
                           SET last_heartbeat_at = :now, updated_at = :now,
                               status = CASE WHEN s.status = 'degraded' THEN 'degraded' ELSE 'online' END
                          FROM previous WHERE s.id = previous.id
                        RETURNING s.id, s.tenant_id, s.name, previous.status AS old_status, s.status AS new_status""")
                .bind("id", id)
                .bind("now", at(now))
                .map((row, meta) -> transition(row, now))
                .one();
    }

    /**
     * One set-based statement per tick: every service whose last heartbeat is not younger than
     * the cutoff goes offline. Concurrent replicas each see only the rows they changed.
     */
    Flux<StatusTransition> markStale(Instant cutoff, Instant now) {
        return database.sql("""
                        WITH stale AS (
                            SELECT id, status FROM sync_services
                             WHERE status <> 'offline' AND (last_heartbeat_at IS NULL OR last_heartbeat_at <= :cutoff)
                             FOR UPDATE SKIP LOCKED)
                        UPDATE sync_services s SET status = 'offline', updated_at = :now
                          FROM stale WHERE s.id = stale.id
                        RETURNING s.id, s.tenant_id, s.name, stale.status AS old_status, s.status AS new_status""")
                .bind("cutoff", at(cutoff))
                .bind("now", at(now))
                .map((row, meta) -> transition(row, now))
                .all();
    }

    /** How many services are in each status by the read rule. */
    Flux<StatusCount> countByStatus(Instant cutoff) {
        return database.sql("""
                        SELECT CASE WHEN last_heartbeat_at IS NULL OR last_heartbeat_at <= :cutoff THEN 'offline'
                                    WHEN status = 'degraded' THEN 'degraded' ELSE 'online' END AS effective,
                               count(*) AS services
                          FROM sync_services GROUP BY 1""")
                .bind("cutoff", at(cutoff))
                .map((row, meta) -> new StatusCount(SyncStatus.fromDb(row.get("effective", String.class)),
                        row.get("services", Long.class)))
                .all();
    }

    record StatusCount(SyncStatus status, long services) {
    }

    /** Deletes an on-prem sync service; ALREADY_EXISTS-like conflict while integrations use it. */
    Mono<Long> deleteOnPrem(UUID id) {
        return database.sql("DELETE FROM sync_services WHERE id = :id AND NOT is_platform_sync")
                .bind("id", id)
                .fetch().rowsUpdated()
                .onErrorMap(DataIntegrityViolationException.class,
                        e -> new GatewayException(GatewayException.Reason.ALREADY_EXISTS,
                                "integration sources still use this sync service; move or delete them first"));
    }

    private static StatusTransition transition(Row row, Instant now) {
        return new StatusTransition(row.get("id", UUID.class), row.get("tenant_id", UUID.class), row.get("name", String.class),
                SyncStatus.fromDb(row.get("old_status", String.class)), SyncStatus.fromDb(row.get("new_status", String.class)), now);
    }

    static SyncService map(Row row) {
        return new SyncService(
                row.get("id", UUID.class),
                row.get("tenant_id", UUID.class),
                row.get("name", String.class),
                row.get("service_type", String.class),
                row.get("endpoint", String.class),
                SyncStatus.fromDb(row.get("status", String.class)),
                Boolean.TRUE.equals(row.get("is_platform_sync", Boolean.class)),
                SqlArrays.list(row.get("capabilities", String[].class)),
                instant(row.get("last_heartbeat_at", OffsetDateTime.class)),
                instant(row.get("registered_at", OffsetDateTime.class)),
                row.get("version", String.class),
                row.get("hostname", String.class),
                instant(row.get("created_at", OffsetDateTime.class)));
    }
}
