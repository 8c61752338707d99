package io.fleetgate.device;

import static io.fleetgate.database.Timestamps.at;

import io.fleetgate.database.IdentityLock;
import io.fleetgate.database.SqlArrays;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The SQL of an unmerge, all inside the caller's transaction. */
@Repository
class UnmergeRepository {

    /** A source record of the device being split, locked. {@code agent} is the agent that sweeps it, if any. */
    record Member(UUID id, UUID sourceId, String deviceId, String partition, List<String> ips, List<String> macs,
                  @Nullable String agent) {
    }

    private final DatabaseClient database;

    UnmergeRepository(DatabaseClient database) {
        this.database = database;
    }

    /**
     * The device's records, row-locked (before the partition lock, in the order ingest takes its
     * locks: rows, then the partition, so the two never wait for each other in a circle).
     */
    Flux<Member> lockMembers(UUID tenant, UUID canonical) {
        return database.sql("""
                        SELECT d.id, d.integration_source_id, d.device_id, d.partition, d.ip_addresses, d.mac_addresses,
                               coalesce(d.agent_uid, s.agent_uid) AS agent
                          FROM discovered_devices d JOIN integration_sources s ON s.id = d.integration_source_id
                         WHERE d.tenant_id = :tenant AND d.canonical_device_id = :canonical
                         ORDER BY d.id
                           FOR UPDATE OF d""")
                .bind("tenant", tenant)
                .bind("canonical", canonical)
                .map((row, meta) -> new Member(row.get("id", UUID.class), row.get("integration_source_id", UUID.class),
                        row.get("device_id", String.class), row.get("partition", String.class),
                        SqlArrays.list(row.get("ip_addresses", String[].class)), SqlArrays.list(row.get("mac_addresses", String[].class)),
                        row.get("agent", String.class)))
                .all();
    }

    Mono<Void> lockPartition(UUID tenant, String partition) {
        return IdentityLock.acquire(database, tenant, partition);
    }

    /** The record becomes a canonical device of its own. */
    Mono<Void> move(UUID tenant, UUID record, UUID canonical) {
        return database.sql("UPDATE discovered_devices SET canonical_device_id = :canonical WHERE tenant_id = :tenant AND id = :id")
                .bind("tenant", tenant)
                .bind("id", record)
                .bind("canonical", canonical)
                .fetch().rowsUpdated().then();
    }

    /** Identifiers the old device holds that follow the record (each by primary key). */
    Mono<Void> moveIdentifiers(UUID tenant, String partition, UUID from, UUID to, List<String> kinds, List<String> values) {
        if (kinds.isEmpty()) {
            return Mono.empty();
        }
        return database.sql("""
                        UPDATE device_identifiers i SET canonical_device_id = :to
                          FROM unnest(:kinds::text[], :values::text[]) AS k(kind, value)
                         WHERE i.tenant_id = :tenant AND i.partition = :partition AND i.kind = k.kind AND i.value = k.value
                           AND i.canonical_device_id = :from""")
                .bind("tenant", tenant)
                .bind("partition", partition)
                .bind("from", from)
                .bind("to", to)
                .bind("kinds", SqlArrays.literal(kinds.toArray(String[]::new)))
                .bind("values", SqlArrays.literal(values.toArray(String[]::new)))
                .fetch().rowsUpdated().then();
    }

    /** Who split what from where, and why; returns the unmerge's id. */
    Mono<Long> record(UUID tenant, Member member, UUID from, UUID to, String reason, String by, Instant at) {
        return database.sql("""
                        INSERT INTO device_unmerges (tenant_id, discovered_device_id, integration_source_id, device_id,
                                                     from_canonical_device_id, to_canonical_device_id, reason, unmerged_by, unmerged_at)
                        VALUES (:tenant, :record, :source, :device, :from, :to, :reason, :by, :at)
                        RETURNING id""")
                .bind("tenant", tenant)
                .bind("record", member.id())
                .bind("source", member.sourceId())
                .bind("device", member.deviceId())
                .bind("from", from)
                .bind("to", to)
                .bind("reason", reason)
                .bind("by", by)
                .bind("at", at(at))
                .map((row, meta) -> row.get("id", Long.class))
                .one();
    }

    /** Pins the record apart from each of the others, both ways (a pin that exists already stays as it was). */
    Mono<Void> keepApart(UUID tenant, Member split, List<Member> others, long unmerge) {
        int n = others.size() * 2;
        UUID[] sources = new UUID[n];
        String[] devices = new String[n];
        UUID[] otherSources = new UUID[n];
        String[] otherDevices = new String[n];
        for (int i = 0; i < others.size(); i++) {
            Member other = others.get(i);
            sources[2 * i] = split.sourceId();
            devices[2 * i] = split.deviceId();
            otherSources[2 * i] = other.sourceId();
            otherDevices[2 * i] = other.deviceId();
            sources[2 * i + 1] = other.sourceId();
            devices[2 * i + 1] = other.deviceId();
            otherSources[2 * i + 1] = split.sourceId();
            otherDevices[2 * i + 1] = split.deviceId();
        }
        return database.sql("""
                        INSERT INTO device_keep_apart (tenant_id, integration_source_id, device_id, other_source_id, other_device_id, unmerge_id)
                        SELECT :tenant, p.source, p.device, p.other_source, p.other_device, :unmerge
                          FROM unnest(:sources::uuid[], :devices::text[], :otherSources::uuid[], :otherDevices::text[])
                               AS p(source, device, other_source, other_device)
                        ON CONFLICT DO NOTHING""")
                .bind("tenant", tenant)
                .bind("unmerge", unmerge)
                .bind("sources", sources)
                .bind("devices", SqlArrays.literal(devices))
                .bind("otherSources", otherSources)
                .bind("otherDevices", SqlArrays.literal(otherDevices))
                .fetch().rowsUpdated().then();
    }
}
