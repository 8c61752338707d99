package io.fleetgate.availability;

import static io.fleetgate.database.Timestamps.at;

import io.fleetgate.database.SqlArrays;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code device_availability}: each canonical device's availability, kept as what decides it
 * changes, so the device list can filter by it. Recomputed for the devices that hold an IP whose
 * state changed (results), and for the devices an IP moved between or a record left (identity);
 * each from the observations of the IPs it holds, by {@link DeviceAvailability}.
 */
@Component
public class AvailabilityIndex {

    /** The canonical devices holding any of the IPs, in any partition. */
    static final String HOLDERS = """
            -- one probe of the inet index per IP: as a filter, "value::inet = ANY(:ips::inet[])" parsed
            -- the array again for every identifier of the tenant when a generic plan was made on
            -- statistics of a smaller table (62 % of PostgreSQL's time in the results benchmark's first
            -- round, where every device's availability is decided; AvailabilityPlansTest)
            SELECT DISTINCT holder.canonical_device_id
              FROM unnest(:ips::inet[]) AS ip
              CROSS JOIN LATERAL (SELECT canonical_device_id FROM device_identifiers i
                                   WHERE i.tenant_id = :tenant AND i.kind = 'ip' AND i.value::inet = ip OFFSET 0) holder""";

    private final DatabaseClient database;
    private final DeviceAvailability.Rule rule;
    private final Clock clock;

    AvailabilityIndex(DatabaseClient database, AvailabilityProperties properties, Clock clock) {
        this.database = database;
        this.rule = properties.rule();
        this.clock = clock;
    }

    /** The devices holding any of these IPs (in any partition), recomputed. */
    Mono<Void> recomputeIps(UUID tenant, Collection<String> ips) {
        if (ips.isEmpty()) {
            return Mono.empty();
        }
        return database.sql(HOLDERS)
                .bind("tenant", tenant)
                .bind("ips", SqlArrays.literal(ips.toArray(String[]::new)))
                .map((row, meta) -> row.get("canonical_device_id", UUID.class))
                .all().collectList()
                .flatMap(devices -> recompute(tenant, devices));
    }

    /** These devices' availability from the observations of the IPs each holds now. */
    public Mono<Void> recompute(UUID tenant, Collection<UUID> devices) {
        if (devices.isEmpty()) {
            return Mono.empty();
        }
        Map<UUID, List<DeviceAvailability.Seen>> seen = new HashMap<>();
        devices.forEach(device -> seen.put(device, new ArrayList<>()));
        return database.sql("""
                        SELECT d.canonical_device_id, o.agent_uid, o.state
                          FROM discovered_devices d
                          CROSS JOIN LATERAL unnest(d.ip_addresses) AS address
                          -- the IP's holder and its observations looked up per IP (OFFSET 0): the statement
                          -- is prepared once, and a generic plan made while host_observations was small
                          -- hashed the whole tenant for every batch (seconds at 500,000 hosts). The IP is
                          -- named both ways so that either index of it (the key, the inet one) finds it in
                          -- one probe: on stale statistics the inet index was chosen with the tenant alone
                          CROSS JOIN LATERAL (SELECT canonical_device_id FROM device_identifiers i
                                               WHERE i.tenant_id = d.tenant_id AND i.partition = d.partition AND i.kind = 'ip'
                                                 AND i.value = address AND i.value::inet = address::inet OFFSET 0) holder
                          CROSS JOIN LATERAL (SELECT agent_uid, state FROM host_observations o
                                               WHERE o.tenant_id = d.tenant_id AND o.ip = address OFFSET 0) o
                         WHERE d.tenant_id = :tenant AND d.canonical_device_id = ANY(:devices)
                           AND holder.canonical_device_id = d.canonical_device_id""")
                .bind("tenant", tenant)
                .bind("devices", devices.toArray(UUID[]::new))
                .map((row, meta) -> {
                    seen.get(row.get("canonical_device_id", UUID.class)).add(new DeviceAvailability.Seen(row.get("agent_uid", String.class),
                            FlapDamping.State.of(row.get("state", String.class))));
                    return 1;
                })
                .all()
                .then(Mono.defer(() -> store(tenant, seen)));
    }

    private Mono<Void> store(UUID tenant, Map<UUID, List<DeviceAvailability.Seen>> seen) {
        List<UUID> unknown = new ArrayList<>();
        List<UUID> decided = new ArrayList<>();
        List<String> states = new ArrayList<>();
        seen.forEach((device, observations) -> {
            DeviceAvailability.Availability availability = DeviceAvailability.of(observations, rule);
            if (availability == DeviceAvailability.Availability.UNKNOWN) {
                unknown.add(device);
            } else {
                decided.add(device);
                states.add(availability.wireName());
            }
        });
        Instant now = clock.instant();
        Mono<Void> forget = unknown.isEmpty() ? Mono.empty() : database.sql(
                        "DELETE FROM device_availability WHERE tenant_id = :tenant AND canonical_device_id = ANY(:devices)")
                .bind("tenant", tenant)
                .bind("devices", unknown.toArray(UUID[]::new))
                .fetch().rowsUpdated().then();
        Mono<Void> keep = decided.isEmpty() ? Mono.empty() : database.sql("""
                        INSERT INTO device_availability AS a (tenant_id, canonical_device_id, state, since, rule)
                        SELECT :tenant, d.device, d.state, :now, :rule FROM unnest(:devices::uuid[], :states::text[]) AS d(device, state)
                        ON CONFLICT (tenant_id, canonical_device_id) DO UPDATE
                            SET state = excluded.state, rule = excluded.rule,
                                since = CASE WHEN a.state = excluded.state THEN a.since ELSE excluded.since END
                          WHERE a.state <> excluded.state OR a.rule <> excluded.rule""")
                .bind("tenant", tenant)
                .bind("now", at(now))
                .bind("rule", rule.wireName())
                .bind("devices", decided.toArray(UUID[]::new))
                .bind("states", SqlArrays.literal(states.toArray(String[]::new)))
                .fetch().rowsUpdated().then();
        return forget.then(keep);
    }

    /**
     * Devices whose availability was decided by another rule (FLEETGATE_AVAILABILITY_RULE changed),
     * decided again, a batch at a time; emits how many each batch took.
     */
    Flux<Integer> reapplyRule(int batch) {
        return database.sql("""
                        SELECT tenant_id, canonical_device_id FROM device_availability WHERE rule <> :rule
                         ORDER BY tenant_id LIMIT :batch""")
                .bind("rule", rule.wireName())
                .bind("batch", batch)
                .map((row, meta) -> Map.entry(row.get("tenant_id", UUID.class), row.get("canonical_device_id", UUID.class)))
                .all().collectList()
                .flatMap(rows -> {
                    Map<UUID, List<UUID>> byTenant = new HashMap<>();
                    rows.forEach(row -> byTenant.computeIfAbsent(row.getKey(), t -> new ArrayList<>()).add(row.getValue()));
                    return Flux.fromIterable(byTenant.entrySet()).concatMap(t -> recompute(t.getKey(), Set.copyOf(t.getValue())))
                            .then(Mono.just(rows.size()));
                })
                .repeat()
                .takeUntil(count -> count < batch);
    }

    DeviceAvailability.Rule rule() {
        return rule;
    }
}
