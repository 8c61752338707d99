package io.fleetgate.sync;

import static io.fleetgate.database.Timestamps.at;
import static io.fleetgate.database.Timestamps.instant;

import io.fleetgate.database.SqlArrays;
import io.fleetgate.database.TimeOrderedIds;
import io.fleetgate.error.GatewayException;
import io.r2dbc.postgresql.codec.Json;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Mono;

/**
 * Set-based SQL of ingest's device rows: every statement handles a whole batch (arrays bound
 * once and {@code unnest}ed), never one statement per device. Identity's is in
 * {@link IdentityRepository}.
 */
@Repository
class DeviceRepository {

    private final DatabaseClient database;

    DeviceRepository(DatabaseClient database) {
        this.database = database;
    }

    Mono<SourceInfo> source(UUID id) {
        return database.sql("SELECT id, tenant_id, source_type, sync_service_id, partition, agent_uid FROM integration_sources WHERE id = :id")
                .bind("id", id)
                .map((row, meta) -> new SourceInfo(row.get("id", UUID.class), row.get("tenant_id", UUID.class),
                        row.get("source_type", String.class), row.get("sync_service_id", UUID.class),
                        row.get("partition", String.class), row.get("agent_uid", String.class)))
                .one();
    }

    /** Marks where {@link #rollbackToSavepoint} returns to (within the batch's transaction). */
    Mono<Void> savepoint(String name) {
        return database.sql("SAVEPOINT " + name).then();
    }

    Mono<Void> rollbackToSavepoint(String name) {
        return database.sql("ROLLBACK TO SAVEPOINT " + name).then();
    }

    /** A device row after the upsert, with what it was before (null when new). */
    record StoredRow(String deviceId, UUID canonical, Instant firstSeen, boolean inserted, @Nullable ExistingDevice previous) {
    }

    /**
     * The batch's rows as statement parameters: one text array literal per column, in the
     * caller's order (by device_id), and the raw records as one JSON array. New rows take a fresh
     * canonical id (UUIDv7: a new canonical device's MAC index entry goes to the right edge).
     * Per-row lists travel as ';'-joined text and raw records as JSON: neither needs escaping.
     */
    private record Rows(Map<String, String> columns, String rawJson, UUID[] canonicals) {

        static Rows of(List<ValidDevice> devices) {
            int n = devices.size();
            String[] ids = new String[n];
            String[] ips = new String[n];
            String[] macs = new String[n];
            String[] hostnames = new String[n];
            String[] types = new String[n];
            String[] manufacturers = new String[n];
            String[] models = new String[n];
            String[] ports = new String[n];
            String[] rawPorts = new String[n];
            String[] agents = new String[n];
            UUID[] canonicals = new UUID[n];
            String[] rowIds = new String[n];
            StringBuilder raw = new StringBuilder(n * 512).append('[');
            for (int i = 0; i < n; i++) {
                ValidDevice device = devices.get(i);
                ids[i] = device.deviceId();
                ips[i] = String.join(";", device.ips());
                macs[i] = String.join(";", device.macs());
                hostnames[i] = device.hostname();
                types[i] = device.deviceType();
                manufacturers[i] = device.manufacturer();
                models[i] = device.model();
                ports[i] = joined(device.ports());
                rawPorts[i] = joined(device.rawPorts());
                agents[i] = device.agentUid();
                canonicals[i] = TimeOrderedIds.next();
                rowIds[i] = TimeOrderedIds.next().toString();
                raw.append(i == 0 ? "" : ",").append(device.rawJson());
            }
            Map<String, String> columns = new LinkedHashMap<>();
            columns.put("ids", SqlArrays.literal(ids));
            columns.put("ips", SqlArrays.literal(ips));
            columns.put("macs", SqlArrays.literal(macs));
            columns.put("hostnames", SqlArrays.literal(hostnames));
            columns.put("types", SqlArrays.literal(types));
            columns.put("manufacturers", SqlArrays.literal(manufacturers));
            columns.put("models", SqlArrays.literal(models));
            columns.put("ports", SqlArrays.literal(ports));
            columns.put("rawPorts", SqlArrays.literal(rawPorts));
            columns.put("agents", SqlArrays.literal(agents));
            columns.put("canonicals", SqlArrays.literal(Arrays.stream(canonicals).map(UUID::toString).toArray(String[]::new)));
            columns.put("rowIds", SqlArrays.literal(rowIds));
            return new Rows(columns, raw.append(']').toString(), canonicals);
        }

        DatabaseClient.GenericExecuteSpec bind(DatabaseClient.GenericExecuteSpec statement, SourceInfo source, Instant now) {
            if (now.getNano() % 1000 != 0) {
                throw new IllegalArgumentException("now must be whole microseconds, as PostgreSQL stores it: " + now);
            }
            for (Map.Entry<String, String> column : columns.entrySet()) {
                statement = statement.bind(column.getKey(), column.getValue());
            }
            return statement.bind("tenant", source.tenantId())
                    .bind("source", source.id())
                    .bind("type", source.sourceType())
                    .bind("partition", source.partition())
                    .bind("now", at(now))
                    .bind("raw", Json.of(rawJson));
        }
    }

    /** The columns of a new row, in the order of {@link #ROWS}. */
    private static final String INSERTED_COLUMNS = """
            id, tenant_id, integration_source_id, device_id, source_type, ip_addresses, mac_addresses, hostname, device_type,
            manufacturer, model, ports, raw_data, raw_data_ports, agent_uid, partition, canonical_device_id, first_seen_at, last_seen_at""";

    /**
     * The batch's rows. ROWS FROM zips the arrays and the raw records by position, in the
     * caller's order (by device_id): rows are locked in one order, so concurrent batches do not
     * deadlock.
     */
    private static final String ROWS = """
            SELECT row_id::uuid, :tenant, :source, device_id, :type, string_to_array(ips, ';'), string_to_array(macs, ';'),
                   hostname, device_type, manufacturer, model, string_to_array(ports, ';')::integer[], raw,
                   string_to_array(raw_ports, ';')::integer[], agent, :partition, canonical::uuid, :now, :now
              FROM ROWS FROM (unnest(:ids::text[]), unnest(:ips::text[]), unnest(:macs::text[]), unnest(:hostnames::text[]),
                              unnest(:types::text[]), unnest(:manufacturers::text[]), unnest(:models::text[]),
                              unnest(:ports::text[]), unnest(:rawPorts::text[]), unnest(:agents::text[]),
                              unnest(:canonicals::text[]), unnest(:rowIds::text[]), jsonb_array_elements(:raw::jsonb))
                   AS input(device_id, ips, macs, hostname, device_type, manufacturer, model, ports, raw_ports,
                            agent, canonical, row_id, raw)""";

    /** The batch's rows inserted or updated, each with its previous state (see {@link #upsert}). */
    private static final String UPSERT = """
                        WITH previous AS (
                            SELECT d.* FROM unnest(:ids::text[]) AS k(device_id)
                            -- one lookup per key on the unique index, whatever the (often stale, during bulk
                            -- loads) statistics say; OFFSET 0 keeps the planner from flattening it into a join
                              JOIN LATERAL (SELECT device_id, partition, canonical_device_id,
                                                   agent_uid, ip_addresses, mac_addresses, ports, raw_data_ports,
                                                   hostname
                                              FROM discovered_devices x
                                             WHERE x.tenant_id = :tenant AND x.integration_source_id = :source AND x.device_id = k.device_id
                                            OFFSET 0) d ON true),
                        stored AS (
                            INSERT INTO discovered_devices AS d ({columns})
                            {rows}
                            ON CONFLICT (tenant_id, integration_source_id, device_id) DO UPDATE SET
                                ip_addresses = excluded.ip_addresses,
                                mac_addresses = excluded.mac_addresses, hostname = excluded.hostname,
                                device_type = excluded.device_type, manufacturer = excluded.manufacturer, model = excluded.model,
                                ports = excluded.ports, raw_data = excluded.raw_data, raw_data_ports = excluded.raw_data_ports,
                                agent_uid = excluded.agent_uid, partition = excluded.partition, last_seen_at = excluded.last_seen_at
                            RETURNING device_id, canonical_device_id, first_seen_at, (xmax = 0) AS inserted)
                        SELECT s.device_id, s.canonical_device_id, s.inserted,
                               -- a new row's is :now (decoding timestamps is the dearest part of reading this result)
                               CASE WHEN NOT s.inserted THEN s.first_seen_at END AS first_seen_at,
                               p.partition AS old_partition,
                               p.canonical_device_id AS old_canonical, p.agent_uid AS old_agent,
                               p.ip_addresses AS old_ips, p.mac_addresses AS old_macs, p.ports AS old_ports, p.raw_data_ports AS old_raw_ports,
                               p.hostname AS old_hostname
                          FROM stored s LEFT JOIN previous p USING (device_id)"""
            .replace("{columns}", INSERTED_COLUMNS).replace("{rows}", ROWS);

    /**
     * Inserts the batch's devices, all taken to be new, with a plain {@code INSERT} (no conflict
     * check, nothing read back): a device already stored, or inserted by a concurrent batch (whose
     * commit the insert waits for), fails the statement with a unique violation, and the caller
     * falls back to {@link #upsert}.
     */
    Mono<Map<String, StoredRow>> insertNew(SourceInfo source, List<ValidDevice> devices, Instant now) {
        Rows rows = Rows.of(devices);
        return rows.bind(database.sql("INSERT INTO discovered_devices (" + INSERTED_COLUMNS + ")\n" + ROWS), source, now)
                .fetch().rowsUpdated()
                .map(inserted -> {
                    Map<String, StoredRow> stored = new HashMap<>(devices.size() * 2);
                    for (int i = 0; i < devices.size(); i++) {
                        String deviceId = devices.get(i).deviceId();
                        stored.put(deviceId, new StoredRow(deviceId, rows.canonicals()[i], now, true, null));
                    }
                    return stored;
                });
    }

    /**
     * Inserts or updates the batch's devices in one statement and returns each row with its
     * previous state. New rows take the canonical id offered; existing rows keep theirs (identity
     * is decided afterwards and corrected with {@link #reassign}).
     */
    Mono<Map<String, StoredRow>> upsert(SourceInfo source, List<ValidDevice> devices, Instant now) {
        return Rows.of(devices).bind(database.sql(UPSERT), source, now)
                .map((row, meta) -> {
                    String deviceId = row.get("device_id", String.class);
                    String oldPartition = row.get("old_partition", String.class);
                    ExistingDevice previous = oldPartition == null ? null : new ExistingDevice(deviceId, oldPartition,
                            row.get("old_canonical", UUID.class), row.get("old_agent", String.class),
                            SqlArrays.list(row.get("old_ips", String[].class)), SqlArrays.list(row.get("old_macs", String[].class)),
                            SqlArrays.list(row.get("old_ports", Integer[].class)),
                            SqlArrays.list(row.get("old_raw_ports", Integer[].class)), row.get("old_hostname", String.class));
                    boolean inserted = Boolean.TRUE.equals(row.get("inserted", Boolean.class));
                    return new StoredRow(deviceId, row.get("canonical_device_id", UUID.class),
                            inserted ? now : instant(row.get("first_seen_at", OffsetDateTime.class)), inserted, previous);
                })
                .all()
                .collectMap(StoredRow::deviceId);
    }

    private static String joined(List<Integer> values) {
        StringBuilder text = new StringBuilder(values.size() * 6);
        for (int i = 0; i < values.size(); i++) {
            text.append(i == 0 ? "" : ";").append(values.get(i));
        }
        return text.toString();
    }

    /** Moves devices to the canonical devices identity decided for them. */
    Mono<Void> reassign(SourceInfo source, Map<String, UUID> canonicals) {
        if (canonicals.isEmpty()) {
            return Mono.empty();
        }
        return database.sql("""
                        UPDATE discovered_devices d SET canonical_device_id = t.canonical::uuid
                          FROM (SELECT x.id, u.canonical FROM unnest(:ids::text[], :canonicals::text[]) AS u(device_id, canonical)
                                -- one lookup per key on the unique index, whatever the (often stale) statistics say
                                JOIN LATERAL (SELECT id FROM discovered_devices x
                                               WHERE x.tenant_id = :tenant AND x.integration_source_id = :source
                                                 AND x.device_id = u.device_id
                                              OFFSET 0) x ON true) t
                         WHERE d.id = t.id""")
                .bind("tenant", source.tenantId())
                .bind("source", source.id())
                .bind("ids", SqlArrays.literal(canonicals.keySet().toArray(String[]::new)))
                .bind("canonicals", SqlArrays.literal(canonicals.values().stream().map(UUID::toString).toArray(String[]::new)))
                .fetch().rowsUpdated().then();
    }

    /**
     * Records the batch on its source. The row lock this takes is what keeps a concurrent delete of
     * the source (whose trigger deletes its devices) from leaving the batch's rows behind: the delete
     * waits for this transaction, or it went first and the batch fails here. The same goes for a
     * move of the source to another sync service: the batch of the old one rolls back.
     */
    Mono<Void> touchSource(SourceInfo source, long created, Instant now) {
        return database.sql("""
                        UPDATE integration_sources SET last_sync_at = :now, last_device_count = last_device_count + :created
                         WHERE id = :id
                        RETURNING sync_service_id""")
                .bind("id", source.id())
                .bind("created", (int) created)
                .bind("now", at(now))
                .map((row, meta) -> row.get("sync_service_id", UUID.class))
                .one()
                .switchIfEmpty(Mono.error(() -> GatewayException.notFound("integration source " + source.id() + " was deleted")))
                .flatMap(syncService -> syncService.equals(source.syncServiceId()) ? Mono.<Void>empty()
                        // moved to another sync service while the stream was open: this one may no longer write it
                        : Mono.error(GatewayException.permissionDenied("integration source " + source.id()
                                + " was assigned to another sync service")));
    }
}
