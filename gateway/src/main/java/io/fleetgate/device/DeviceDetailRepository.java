package io.fleetgate.device;

import static io.fleetgate.database.Timestamps.instant;

import io.fleetgate.database.SqlArrays;
import io.r2dbc.postgresql.codec.Json;
import io.r2dbc.spi.Row;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;
import tools.jackson.databind.json.JsonMapper;

/**
 * One canonical device's SQL: its source records, who holds the identifiers they report, and its
 * history (merges, unmerges, pins, guard events). Every statement finds its rows by an index.
 */
@Repository
class DeviceDetailRepository {

    private final DatabaseClient database;
    private final JsonMapper json = JsonMapper.shared();

    // the statements (DevicePlansTest checks that each reads its rows by an index)
    static final String RECORDS = """
            SELECT d.*, s.name AS source_name, s.enabled AS source_enabled, s.agent_uid AS source_agent,
                   s.default_ports AS source_ports
              FROM discovered_devices d JOIN integration_sources s ON s.id = d.integration_source_id
             WHERE d.tenant_id = :tenant AND d.canonical_device_id = :canonical
             ORDER BY d.first_seen_at, d.id""";

    static final String IDENTIFIERS = """
            SELECT DISTINCT k.partition, k.kind, k.value, i.canonical_device_id, i.claimed_at
              FROM unnest(:partitions::text[], :kinds::text[], :values::text[]) AS k(partition, kind, value)
              LEFT JOIN LATERAL (SELECT canonical_device_id, claimed_at FROM device_identifiers x
                                  WHERE x.tenant_id = :tenant AND x.partition = k.partition AND x.kind = k.kind
                                    AND x.value = k.value
                                 OFFSET 0) i ON true
             ORDER BY k.kind DESC, k.value""";

    static final String MERGES = """
            SELECT m.reason, m.key, m.discovered_device_id, d.device_id, m.canonical_device_id, m.previous_canonical_device_id,
                   m.integration_source_id, m.batch_seq, m.merged_at
              FROM device_merges m JOIN discovered_devices d ON d.tenant_id = m.tenant_id AND d.id = m.discovered_device_id
             WHERE m.tenant_id = :tenant
               AND (m.discovered_device_id = ANY(:records) OR m.previous_canonical_device_id = :canonical)
             ORDER BY m.merged_at, m.id
             LIMIT 1000""";

    static final String UNMERGES = """
            SELECT * FROM device_unmerges
             WHERE tenant_id = :tenant AND (from_canonical_device_id = :canonical OR to_canonical_device_id = :canonical)
             ORDER BY unmerged_at, id""";

    static final String KEPT_APART = """
            SELECT p.integration_source_id, p.device_id, p.other_source_id, p.other_device_id, p.unmerge_id,
                   o.canonical_device_id AS other_canonical
              FROM unnest(:sources::uuid[], :devices::text[]) AS r(source_id, device_id)
              JOIN device_keep_apart p ON p.tenant_id = :tenant AND p.integration_source_id = r.source_id
                                      AND p.device_id = r.device_id
              LEFT JOIN discovered_devices o ON o.tenant_id = p.tenant_id AND o.integration_source_id = p.other_source_id
                                            AND o.device_id = p.other_device_id
             ORDER BY p.unmerge_id, p.device_id, p.other_device_id""";

    static final String GUARD_EVENTS = """
            SELECT * FROM merge_guard_events
             WHERE tenant_id = :tenant AND (canonical_device_id = :canonical OR key = ANY(:keys::text[]))
             ORDER BY guarded_at DESC, id DESC
             LIMIT 100""";

    DeviceDetailRepository(DatabaseClient database) {
        this.database = database;
    }

    /** The device's source records, oldest first, with their sources' sweep defaults. */
    Flux<RecordRow> records(UUID tenant, UUID canonical) {
        return database.sql(RECORDS)
                .bind("tenant", tenant)
                .bind("canonical", canonical)
                .map((row, meta) -> recordRow(row))
                .all();
    }

    /** A source record and what the device page needs of its source. */
    record RecordRow(DeviceViews.SourceRecord record, List<Integer> sourceDefaultPorts) {
    }

    private RecordRow recordRow(Row row) {
        String reported = row.get("agent_uid", String.class);
        boolean enabled = Boolean.TRUE.equals(row.get("source_enabled", Boolean.class));
        String sweptBy = enabled ? (reported != null ? reported : row.get("source_agent", String.class)) : null;
        return new RecordRow(new DeviceViews.SourceRecord(
                row.get("id", UUID.class),
                new DeviceViews.SourceRef(row.get("integration_source_id", UUID.class), row.get("source_name", String.class),
                        row.get("source_type", String.class)),
                row.get("device_id", String.class),
                row.get("partition", String.class),
                SqlArrays.list(row.get("ip_addresses", String[].class)),
                SqlArrays.list(row.get("mac_addresses", String[].class)),
                row.get("hostname", String.class),
                row.get("device_type", String.class),
                row.get("manufacturer", String.class),
                row.get("model", String.class),
                SqlArrays.list(row.get("ports", Integer[].class)),
                SqlArrays.list(row.get("raw_data_ports", Integer[].class)),
                reported,
                sweptBy,
                enabled,
                instant(row.get("first_seen_at", OffsetDateTime.class)),
                instant(row.get("last_seen_at", OffsetDateTime.class)),
                json.readTree(row.get("raw_data", Json.class).asString())),
                SqlArrays.list(row.get("source_ports", Integer[].class)));
    }

    /** Who holds each MAC and IP the records report, in their partitions (by primary key). */
    Flux<DeviceViews.Identifier> identifiers(UUID tenant, List<DeviceViews.SourceRecord> records) {
        List<String> partitions = new ArrayList<>();
        List<String> kinds = new ArrayList<>();
        List<String> values = new ArrayList<>();
        for (DeviceViews.SourceRecord record : records) {
            record.macs().forEach(mac -> add(partitions, kinds, values, record.partition(), "mac", mac));
            record.ips().forEach(ip -> add(partitions, kinds, values, record.partition(), "ip", ip));
        }
        return database.sql(IDENTIFIERS)
                .bind("tenant", tenant)
                .bind("partitions", SqlArrays.literal(partitions.toArray(String[]::new)))
                .bind("kinds", SqlArrays.literal(kinds.toArray(String[]::new)))
                .bind("values", SqlArrays.literal(values.toArray(String[]::new)))
                .map((row, meta) -> new DeviceViews.Identifier(row.get("partition", String.class), row.get("kind", String.class),
                        row.get("value", String.class), row.get("canonical_device_id", UUID.class),
                        instant(row.get("claimed_at", OffsetDateTime.class))))
                .all();
    }

    private static void add(List<String> partitions, List<String> kinds, List<String> values, String partition, String kind, String value) {
        partitions.add(partition);
        kinds.add(kind);
        values.add(value);
    }

    /** The merges of the device's records, and the IPs other devices took from it. */
    Flux<DeviceViews.Merge> merges(UUID tenant, UUID canonical, List<UUID> recordIds) {
        return database.sql(MERGES)
                .bind("tenant", tenant)
                .bind("canonical", canonical)
                .bind("records", recordIds.toArray(UUID[]::new))
                .map((row, meta) -> new DeviceViews.Merge(row.get("reason", String.class), row.get("key", String.class),
                        row.get("discovered_device_id", UUID.class), row.get("device_id", String.class),
                        row.get("canonical_device_id", UUID.class), row.get("previous_canonical_device_id", UUID.class),
                        row.get("integration_source_id", UUID.class), row.get("batch_seq", Long.class),
                        instant(row.get("merged_at", OffsetDateTime.class))))
                .all();
    }

    /** Source records split out of this device, or this device's own split. */
    Flux<DeviceViews.Unmerge> unmerges(UUID tenant, UUID canonical) {
        return database.sql(UNMERGES)
                .bind("tenant", tenant)
                .bind("canonical", canonical)
                .map((row, meta) -> new DeviceViews.Unmerge(row.get("id", Long.class), row.get("discovered_device_id", UUID.class),
                        row.get("integration_source_id", UUID.class), row.get("device_id", String.class),
                        row.get("from_canonical_device_id", UUID.class), row.get("to_canonical_device_id", UUID.class),
                        row.get("reason", String.class), row.get("unmerged_by", String.class),
                        instant(row.get("unmerged_at", OffsetDateTime.class))))
                .all();
    }

    /** The pins of the device's records, with where each counterpart is now. */
    Flux<DeviceViews.KeptApart> keptApart(UUID tenant, List<DeviceViews.SourceRecord> records) {
        return database.sql(KEPT_APART)
                .bind("tenant", tenant)
                .bind("sources", records.stream().map(r -> r.source().id()).toArray(UUID[]::new))
                .bind("devices", SqlArrays.literal(records.stream().map(DeviceViews.SourceRecord::deviceId).toArray(String[]::new)))
                .map((row, meta) -> new DeviceViews.KeptApart(row.get("integration_source_id", UUID.class), row.get("device_id", String.class),
                        row.get("other_source_id", UUID.class), row.get("other_device_id", String.class),
                        row.get("other_canonical", UUID.class), row.get("unmerge_id", Long.class)))
                .all();
    }

    /** Guard events that name this device, or a key its records report. */
    Flux<DeviceViews.GuardEvent> guardEvents(UUID tenant, UUID canonical, List<String> keys) {
        return database.sql(GUARD_EVENTS)
                .bind("tenant", tenant)
                .bind("canonical", canonical)
                .bind("keys", SqlArrays.literal(keys.toArray(String[]::new)))
                .map((row, meta) -> new DeviceViews.GuardEvent(row.get("kind", String.class), row.get("key", String.class),
                        row.get("canonical_device_id", UUID.class), row.get("devices", Integer.class),
                        row.get("integration_source_id", UUID.class), row.get("batch_seq", Long.class),
                        instant(row.get("guarded_at", OffsetDateTime.class))))
                .all();
    }
}
