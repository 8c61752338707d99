package io.fleetgate.sync;

import static io.fleetgate.database.Timestamps.at;
import static io.fleetgate.database.Timestamps.instant;

import io.fleetgate.database.IdentityLock;
import io.fleetgate.database.SqlArrays;
import io.fleetgate.identity.IdentityResolver;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Mono;

/**
 * Set-based SQL of cross-source identity ({@code identity.IdentityResolver}) for a batch: what is known of its MACs and
 * IPs, the identifiers and merges identity decided, and the partition lock that serialises
 * decisions.
 */
@Repository
class IdentityRepository {

    private final DatabaseClient database;

    IdentityRepository(DatabaseClient database) {
        this.database = database;
    }

    /** Serialises identity decisions within one tenant partition until the transaction ends. */
    Mono<Void> lockPartition(UUID tenant, String partition) {
        return IdentityLock.acquire(database, tenant, partition);
    }

    /**
     * Who the batch's devices are kept apart from (an operator split them): one row per pin, with
     * the counterpart's canonical device now (null when it is not stored) and, when it belongs to
     * the same source, its device id. Bound: :tenant, :source, :ids.
     */
    private static final String KEEP_APART = """
            SELECT 'apart' AS kind, p.device_id AS value, o.canonical_device_id, NULL::timestamptz AS claimed_at, false AS has_mac,
                   CASE WHEN p.other_source_id = :source THEN p.other_device_id END AS other_device
              FROM device_keep_apart p
              LEFT JOIN discovered_devices o ON o.tenant_id = p.tenant_id AND o.integration_source_id = p.other_source_id
                                            AND o.device_id = p.other_device_id
             WHERE p.tenant_id = :tenant AND p.integration_source_id = :source AND p.device_id = ANY(:ids::text[])""";

    /**
     * Holders of the batch's MACs and IPs, which IP holders have a usable MAC, and whom the
     * batch's devices are kept apart from: one round trip.
     */
    Mono<IdentityResolver.Known> known(SourceInfo source, List<String> deviceIds, Collection<String> macs, Collection<String> ips) {
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
        KeepApartRows apart = new KeepApartRows();
        return database.sql("""
                        WITH hits AS (
                            SELECT k.kind, k.value, i.canonical_device_id, i.claimed_at
                              FROM unnest(:kinds::text[], :values::text[]) AS k(kind, value)
                              -- one primary key lookup per key (see existing())
                              JOIN LATERAL (SELECT canonical_device_id, claimed_at FROM device_identifiers x
                                             WHERE x.tenant_id = :tenant AND x.partition = :partition
                                               AND x.kind = k.kind AND x.value = k.value
                                            OFFSET 0) i ON true)
                        SELECT kind, value, canonical_device_id, claimed_at, false AS has_mac, NULL AS other_device FROM hits
                        UNION ALL
                        SELECT 'mac', NULL, h.canonical_device_id, NULL::timestamptz, true, NULL
                          FROM (SELECT DISTINCT canonical_device_id FROM hits WHERE kind = 'ip') h
                         WHERE EXISTS (SELECT 1 FROM device_identifiers m
                                        WHERE m.canonical_device_id = h.canonical_device_id AND m.kind = 'mac')
                        UNION ALL
                        """ + KEEP_APART)
                .bind("tenant", source.tenantId())
                .bind("partition", source.partition())
                .bind("source", source.id())
                .bind("ids", SqlArrays.literal(deviceIds.toArray(String[]::new)))
                .bind("kinds", SqlArrays.literal(kinds.toArray(String[]::new)))
                .bind("values", SqlArrays.literal(values.toArray(String[]::new)))
                .map((row, meta) -> {
                    String kind = row.get("kind", String.class);
                    UUID canonical = row.get("canonical_device_id", UUID.class);
                    if ("apart".equals(kind)) {
                        apart.add(row);
                    } else if (Boolean.TRUE.equals(row.get("has_mac", Boolean.class))) {
                        withMac.add(canonical);
                    } else if ("mac".equals(kind)) {
                        macHolders.put(row.get("value", String.class), canonical);
                    } else {
                        ipHolders.put(row.get("value", String.class), new IdentityResolver.Holder(canonical,
                                instant(row.get("claimed_at", OffsetDateTime.class))));
                    }
                    return kind;
                })
                .all()
                .then(Mono.fromSupplier(() -> new IdentityResolver.Known(macHolders, ipHolders, withMac, apart.keepApart())));
    }

    /** Whom the devices of the batch are kept apart from (see {@link #KEEP_APART}). */
    Mono<IdentityResolver.KeepApart> keepApart(SourceInfo source, List<String> deviceIds) {
        KeepApartRows apart = new KeepApartRows();
        return database.sql(KEEP_APART)
                .bind("tenant", source.tenantId())
                .bind("source", source.id())
                .bind("ids", SqlArrays.literal(deviceIds.toArray(String[]::new)))
                .map((row, meta) -> {
                    apart.add(row);
                    return 1;
                })
                .all()
                .then(Mono.fromSupplier(apart::keepApart));
    }

    /** The pins of {@link #KEEP_APART}'s rows, gathered per device. */
    private static final class KeepApartRows {
        private final Map<String, Set<UUID>> canonicals = new HashMap<>();
        private final Map<String, Set<String>> devices = new HashMap<>();

        void add(io.r2dbc.spi.Row row) {
            String device = row.get("value", String.class);
            UUID canonical = row.get("canonical_device_id", UUID.class);
            String other = row.get("other_device", String.class);
            if (canonical != null) {
                canonicals.computeIfAbsent(device, d -> new HashSet<>()).add(canonical);
            }
            if (other != null) {
                devices.computeIfAbsent(device, d -> new HashSet<>()).add(other);
            }
        }

        IdentityResolver.KeepApart keepApart() {
            return canonicals.isEmpty() && devices.isEmpty() ? IdentityResolver.KeepApart.NONE
                    : new IdentityResolver.KeepApart(canonicals, devices);
        }
    }

    /**
     * Stores identity's decisions: identifiers new in the partition with a plain {@code INSERT}
     * (no conflict check: the caller knows they were absent, and a concurrent batch inserting the
     * same one fails with a unique violation and starts over), replaced ones overwritten.
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
                        -- ON CONFLICT finds each row by the primary key, whatever the (often stale, during bulk
                        -- loads) statistics say; a join UPDATE was planned as a scan of the tenant's identifiers
                        INSERT INTO device_identifiers (tenant_id, partition, kind, value, canonical_device_id, claimed_at)
                        SELECT :tenant, :partition, u.kind, u.value, u.canonical::uuid, u.claimed::timestamptz
                          FROM unnest(:kinds::text[], :values::text[], :canonicals::text[], :claimed::text[]) AS u(kind, value, canonical, claimed)
                        ON CONFLICT (tenant_id, partition, kind, value) DO UPDATE
                            SET canonical_device_id = excluded.canonical_device_id, claimed_at = excluded.claimed_at""",
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

    Mono<Void> recordMerges(SourceInfo source, long batchSeq, List<IdentityResolver.Merge> merges) {
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
                                                   previous_canonical_device_id, integration_source_id, batch_seq)
                        SELECT :tenant, :partition, d.id, m.canonical::uuid, m.reason, m.key, nullif(m.previous, '')::uuid, :source, :batch
                          FROM unnest(:ids::text[], :canonicals::text[], :reasons::text[], :keys::text[], :previous::text[])
                               AS m(device_id, canonical, reason, key, previous)
                          JOIN LATERAL (SELECT id FROM discovered_devices x
                                         WHERE x.tenant_id = :tenant AND x.integration_source_id = :source
                                           AND x.device_id = m.device_id
                                        OFFSET 0) d ON true""")
                .bind("tenant", source.tenantId())
                .bind("partition", source.partition())
                .bind("source", source.id())
                .bind("ids", SqlArrays.literal(ids))
                .bind("canonicals", SqlArrays.literal(canonicals))
                .bind("reasons", SqlArrays.literal(reasons))
                .bind("keys", SqlArrays.literal(keys))
                .bind("previous", SqlArrays.literal(previous))
                .bind("batch", batchSeq)
                .fetch().rowsUpdated().then();
    }

    /** The merges the guard refused, one row per key (rare: a statement only when there are some). */
    Mono<Void> recordGuarded(SourceInfo source, long batchSeq, List<IdentityResolver.Guarded> guarded, Instant now) {
        if (guarded.isEmpty()) {
            return Mono.empty();
        }
        return database.sql("""
                        INSERT INTO merge_guard_events (tenant_id, partition, integration_source_id, batch_seq, kind, key,
                                                        canonical_device_id, devices, guarded_at)
                        SELECT :tenant, :partition, :source, :batch, g.kind, g.key, g.canonical::uuid, g.devices, :now
                          FROM unnest(:kinds::text[], :keys::text[], :canonicals::text[], :devices::int[]) AS g(kind, key, canonical, devices)""")
                .bind("tenant", source.tenantId())
                .bind("partition", source.partition())
                .bind("source", source.id())
                .bind("batch", batchSeq)
                .bind("now", at(now))
                .bind("kinds", SqlArrays.literal(guarded.stream().map(IdentityResolver.Guarded::kind).toArray(String[]::new)))
                .bind("keys", SqlArrays.literal(guarded.stream().map(IdentityResolver.Guarded::key).toArray(String[]::new)))
                .bind("canonicals", SqlArrays.literal(guarded.stream().map(g -> g.canonical().toString()).toArray(String[]::new)))
                .bind("devices", guarded.stream().map(IdentityResolver.Guarded::devices).toArray(Integer[]::new))
                .fetch().rowsUpdated().then();
    }
}
