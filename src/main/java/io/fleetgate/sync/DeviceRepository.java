package io.fleetgate.sync;

import static io.fleetgate.database.Timestamps.at;
import static io.fleetgate.database.Timestamps.instant;

import io.fleetgate.database.SqlArrays;
import io.fleetgate.database.TimeOrderedIds;
import io.fleetgate.error.GatewayException;
import io.fleetgate.identity.IdentityResolver;
import io.r2dbc.postgresql.codec.Json;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Mono;

/**
 * Set-based SQL of ingest: every statement handles a whole batch (arrays bound once and
 * {@code unnest}ed), never one statement per device.
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

    /** Serialises identity decisions within one tenant partition until the transaction ends. */
    Mono<Void> lockPartition(UUID tenant, String partition) {
        return database.sql("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))")
                .bind("key", tenant + "/" + partition)
                .fetch().first().then();
    }

    /** Marks where {@link #rollbackToSavepoint} returns to (within the batch's transaction). */
    Mono<Void> savepoint(String name) {
        return database.sql("SAVEPOINT " + name).then();
    }

    Mono<Void> rollbackToSavepoint(String name) {
        return database.sql("ROLLBACK TO SAVEPOINT " + name).then();
    }

    /** Holders of the batch's MACs and IPs, and which IP holders have a usable MAC. */
    Mono<IdentityResolver.Known> known(UUID tenant, String partition, Collection<String> macs, Collection<String> ips) {
        List<String> kinds = new ArrayList<>(macs.size() + ips.size());
        List<String> values = new ArrayList<>(macs.size() + ips.size());
        macs.forEach(mac -> {
            kinds.add("mac");
            values.add(mac);
        });
        ips.forEach(ip -> {
            kinds.add("ip");
            values.add(ip);
        });
        Map<String, UUID> macHolders = new HashMap<>();
        Map<String, IdentityResolver.Holder> ipHolders = new HashMap<>();
        Set<UUID> withMac = new HashSet<>();
        return database.sql("""
                        WITH hits AS (
                            SELECT k.kind, k.value, i.canonical_device_id, i.claimed_at
                              FROM unnest(:kinds::text[], :values::text[]) AS k(kind, value)
                              -- one primary key lookup per key (see existing())
                              JOIN LATERAL (SELECT canonical_device_id, claimed_at FROM device_identifiers x
                                             WHERE x.tenant_id = :tenant AND x.partition = :partition
                                               AND x.kind = k.kind AND x.value = k.value
                                            OFFSET 0) i ON true)
                        SELECT kind, value, canonical_device_id, claimed_at, false AS has_mac FROM hits
                        UNION ALL
                        SELECT 'mac', NULL, h.canonical_device_id, NULL::timestamptz, true
                          FROM (SELECT DISTINCT canonical_device_id FROM hits WHERE kind = 'ip') h
                         WHERE EXISTS (SELECT 1 FROM device_identifiers m
                                        WHERE m.canonical_device_id = h.canonical_device_id AND m.kind = 'mac')""")
                .bind("tenant", tenant)
                .bind("partition", partition)
                .bind("kinds", SqlArrays.literal(kinds.toArray(String[]::new)))
                .bind("values", SqlArrays.literal(values.toArray(String[]::new)))
                .map((row, meta) -> {
                    UUID canonical = row.get("canonical_device_id", UUID.class);
                    if (Boolean.TRUE.equals(row.get("has_mac", Boolean.class))) {
                        withMac.add(canonical);
                    } else if ("mac".equals(row.get("kind", String.class))) {
                        macHolders.put(row.get("value", String.class), canonical);
                    } else {
                        ipHolders.put(row.get("value", String.class), new IdentityResolver.Holder(canonical,
                                instant(row.get("claimed_at", OffsetDateTime.class))));
                    }
                    return canonical;
                })
                .all()
                .then(Mono.fromSupplier(() -> new IdentityResolver.Known(macHolders, ipHolders, withMac)));
    }

    /** A device row after the upsert, with what it was before (null when new). */
    record StoredRow(String deviceId, UUID canonical, Instant firstSeen, boolean inserted, ExistingDevice previous) {
    }

    /**
     * The batch's rows as statement parameters: one text array literal per column, in the
     * caller's order (by device_id), and the raw records as one JSON array. New rows take a fresh
     * canonical id (UUIDv7: a new canonical device's MAC index entry goes to the right edge).
     * Per-row lists travel as ';'-joined text and raw records as JSON: neither needs escaping.
     */
    private record Rows(List<ValidDevice> devices, Map<String, String> columns, String rawJson, String[] canonicals) {

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
            String[] canonicals = new String[n];
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
                canonicals[i] = TimeOrderedIds.next().toString();
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
            columns.put("canonicals", SqlArrays.literal(canonicals));
            columns.put("rowIds", SqlArrays.literal(rowIds));
            return new Rows(devices, columns, raw.append(']').toString(), canonicals);
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
                        stored.put(deviceId, new StoredRow(deviceId, UUID.fromString(rows.canonicals()[i]), now, true, null));
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
        return Rows.of(devices).bind(database.sql("""
                        WITH previous AS (
                            SELECT d.* FROM unnest(:ids::text[]) AS k(device_id)
                            -- one lookup per key on the unique index, whatever the (often stale, during bulk
                            -- loads) statistics say; OFFSET 0 keeps the planner from flattening it into a join
                              JOIN LATERAL (SELECT device_id, integration_source_id, partition, canonical_device_id,
                                                   agent_uid, ip_addresses, mac_addresses, ports, raw_data_ports,
                                                   hostname
                                              FROM discovered_devices x
                                             WHERE x.tenant_id = :tenant AND x.source_type = :type AND x.device_id = k.device_id
                                            OFFSET 0) d ON true),
                        stored AS (
                            INSERT INTO discovered_devices AS d ({columns})
                            {rows}
                            ON CONFLICT (tenant_id, source_type, device_id) DO UPDATE SET
                                integration_source_id = excluded.integration_source_id, ip_addresses = excluded.ip_addresses,
                                mac_addresses = excluded.mac_addresses, hostname = excluded.hostname,
                                device_type = excluded.device_type, manufacturer = excluded.manufacturer, model = excluded.model,
                                ports = excluded.ports, raw_data = excluded.raw_data, raw_data_ports = excluded.raw_data_ports,
                                agent_uid = excluded.agent_uid, partition = excluded.partition, last_seen_at = excluded.last_seen_at
                            RETURNING device_id, canonical_device_id, first_seen_at, (xmax = 0) AS inserted)
                        SELECT s.device_id, s.canonical_device_id, s.inserted,
                               -- a new row's is :now (decoding timestamps is the dearest part of reading this result)
                               CASE WHEN NOT s.inserted THEN s.first_seen_at END AS first_seen_at,
                               p.integration_source_id AS old_source, p.partition AS old_partition,
                               p.canonical_device_id AS old_canonical, p.agent_uid AS old_agent,
                               p.ip_addresses AS old_ips, p.mac_addresses AS old_macs, p.ports AS old_ports, p.raw_data_ports AS old_raw_ports,
                               p.hostname AS old_hostname
                          FROM stored s LEFT JOIN previous p USING (device_id)"""
                        .replace("{columns}", INSERTED_COLUMNS).replace("{rows}", ROWS)), source, now)
                .map((row, meta) -> {
                    String deviceId = row.get("device_id", String.class);
                    UUID oldSource = row.get("old_source", UUID.class);
                    ExistingDevice previous = oldSource == null ? null : new ExistingDevice(deviceId, oldSource,
                            row.get("old_partition", String.class), row.get("old_canonical", UUID.class), row.get("old_agent", String.class),
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
                        UPDATE discovered_devices d SET canonical_device_id = u.canonical::uuid
                          FROM unnest(:ids::text[], :canonicals::text[]) AS u(device_id, canonical)
                         WHERE d.tenant_id = :tenant AND d.source_type = :type AND d.device_id = u.device_id""")
                .bind("tenant", source.tenantId())
                .bind("type", source.sourceType())
                .bind("ids", SqlArrays.literal(canonicals.keySet().toArray(String[]::new)))
                .bind("canonicals", SqlArrays.literal(canonicals.values().stream().map(UUID::toString).toArray(String[]::new)))
                .fetch().rowsUpdated().then();
    }

    /**
     * Stores identity's decisions: identifiers new in the partition with a plain {@code INSERT}
     * (no conflict check: the caller knows they were absent, and a concurrent batch inserting the
     * same one fails with a unique violation and starts over), replaced ones with an {@code UPDATE}.
     */
    Mono<Void> writeIdentifiers(UUID tenant, String partition, List<IdentityResolver.IdentifierWrite> writes) {
        List<IdentityResolver.IdentifierWrite> inserts = new ArrayList<>(writes.size());
        List<IdentityResolver.IdentifierWrite> updates = new ArrayList<>();
        writes.forEach(write -> (write.replaces() ? updates : inserts).add(write));
        // one order for every batch: concurrent inserts of a key wait rather than deadlock (sorted
        // here rather than by the statement: the gateway's CPU is cheaper than the database's)
        inserts.sort(IDENTIFIER_ORDER);
        return identifiers("""
                        INSERT INTO device_identifiers (tenant_id, partition, kind, value, canonical_device_id, claimed_at)
                        SELECT :tenant, :partition, u.kind, u.value, u.canonical::uuid, u.claimed::timestamptz
                          FROM unnest(:kinds::text[], :values::text[], :canonicals::text[], :claimed::text[]) AS u(kind, value, canonical, claimed)""",
                tenant, partition, inserts)
                .then(identifiers("""
                        UPDATE device_identifiers i SET canonical_device_id = u.canonical::uuid, claimed_at = u.claimed::timestamptz
                          FROM unnest(:kinds::text[], :values::text[], :canonicals::text[], :claimed::text[]) AS u(kind, value, canonical, claimed)
                         WHERE i.tenant_id = :tenant AND i.partition = :partition AND i.kind = u.kind AND i.value = u.value""",
                        tenant, partition, updates));
    }

    private static final Comparator<IdentityResolver.IdentifierWrite> IDENTIFIER_ORDER = (a, b) -> {
        int kind = a.kind().compareTo(b.kind());
        return kind != 0 ? kind : a.value().compareTo(b.value());
    };

    private Mono<Void> identifiers(String sql, UUID tenant, String partition, List<IdentityResolver.IdentifierWrite> writes) {
        if (writes.isEmpty()) {
            return Mono.empty();
        }
        int n = writes.size();
        String[] kinds = new String[n];
        String[] values = new String[n];
        String[] canonicals = new String[n];
        String[] claimed = new String[n];
        Instant lastClaim = null;
        for (int i = 0; i < n; i++) {
            IdentityResolver.IdentifierWrite write = writes.get(i);
            kinds[i] = write.kind();
            values[i] = write.value();
            canonicals[i] = write.canonical().toString();
            // most identifiers of a batch are claimed at the same moment (the batch's): format it once
            claimed[i] = write.claimedAt().equals(lastClaim) ? claimed[i - 1] : write.claimedAt().toString();
            lastClaim = write.claimedAt();
        }
        return database.sql(sql)
                .bind("tenant", tenant)
                .bind("partition", partition)
                .bind("kinds", SqlArrays.literal(kinds))
                .bind("values", SqlArrays.literal(values))
                .bind("canonicals", SqlArrays.literal(canonicals))
                .bind("claimed", SqlArrays.literal(claimed))
                .fetch().rowsUpdated().then();
    }

    Mono<Void> recordMerges(SourceInfo source, List<IdentityResolver.Merge> merges) {
        if (merges.isEmpty()) {
            return Mono.empty();
        }
        int n = merges.size();
        String[] ids = new String[n];
        String[] canonicals = new String[n];
        String[] reasons = new String[n];
        String[] keys = new String[n];
        String[] previous = new String[n];
        for (int i = 0; i < n; i++) {
            IdentityResolver.Merge merge = merges.get(i);
            ids[i] = merge.deviceId();
            canonicals[i] = merge.canonical().toString();
            reasons[i] = merge.reason();
            keys[i] = merge.key();
            previous[i] = merge.previousCanonical() == null ? "" : merge.previousCanonical().toString();
        }
        return database.sql("""
                        INSERT INTO device_merges (tenant_id, partition, discovered_device_id, canonical_device_id, reason, key,
                                                   previous_canonical_device_id)
                        SELECT :tenant, :partition, d.id, m.canonical::uuid, m.reason, m.key, nullif(m.previous, '')::uuid
                          FROM unnest(:ids::text[], :canonicals::text[], :reasons::text[], :keys::text[], :previous::text[])
                               AS m(device_id, canonical, reason, key, previous)
                          JOIN LATERAL (SELECT id FROM discovered_devices x
                                         WHERE x.tenant_id = :tenant AND x.source_type = :type AND x.device_id = m.device_id
                                        OFFSET 0) d ON true""")
                .bind("tenant", source.tenantId())
                .bind("partition", source.partition())
                .bind("type", source.sourceType())
                .bind("ids", SqlArrays.literal(ids))
                .bind("canonicals", SqlArrays.literal(canonicals))
                .bind("reasons", SqlArrays.literal(reasons))
                .bind("keys", SqlArrays.literal(keys))
                .bind("previous", SqlArrays.literal(previous))
                .fetch().rowsUpdated().then();
    }

    /**
     * Records the batch on its source. The row lock this takes is what keeps a concurrent delete of
     * the source (whose trigger deletes its devices) from leaving the batch's rows behind: the delete
     * waits for this transaction, or it went first and the batch fails here.
     */
    Mono<Void> touchSource(UUID source, long created, Instant now) {
        return database.sql("""
                        UPDATE integration_sources SET last_sync_at = :now, last_device_count = last_device_count + :created
                         WHERE id = :id""")
                .bind("id", source)
                .bind("created", (int) created)
                .bind("now", at(now))
                .fetch().rowsUpdated()
                .filter(updated -> updated > 0)
                .switchIfEmpty(Mono.error(() -> GatewayException.notFound("integration source " + source + " was deleted")))
                .then();
    }
}
