package io.fleetgate.availability;

import static io.fleetgate.database.Timestamps.instant;

import io.fleetgate.database.SqlArrays;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;

/**
 * What the pages show of sweep results: each agent's latest observation of some IPs, their state
 * transitions, devices' availability, and an agent's latest sweep. Callers have checked the tenant.
 */
@Service
public class AvailabilityService {

    /** Transitions a device's page lists (the newest). */
    public static final int TRANSITIONS_SHOWN = 100;

    /** One agent's latest observation of one IP, and the state flap damping gives it. */
    public record Observation(String agentUid, String ip, String state, int failures, Instant stateSince, boolean icmpAvailable,
                              @Nullable Integer icmpRttUs, List<Integer> openPorts, List<Integer> closedPorts, List<Integer> filteredPorts,
                              Instant observedAt, @Nullable String configVersion) {
    }

    public record Transition(String agentUid, String ip, String fromState, String toState, Instant at) {
    }

    /** An agent's latest sweep as its results arrived; {@code completedAt} null while batches of it are still coming. */
    public record Sweep(Instant startedAt, @Nullable Instant completedAt, @Nullable String configVersion, int hosts, int answered,
                        int silent) {
    }

    private final DatabaseClient database;

    AvailabilityService(DatabaseClient database) {
        this.database = database;
    }

    /** Every agent's view of these IPs. */
    public Mono<List<Observation>> observations(UUID tenant, Collection<String> ips) {
        if (ips.isEmpty()) {
            return Mono.just(List.of());
        }
        return database.sql("""
                        SELECT * FROM host_observations WHERE tenant_id = :tenant AND ip = ANY(:ips::text[]) ORDER BY ip, agent_uid""")
                .bind("tenant", tenant)
                .bind("ips", SqlArrays.literal(ips.toArray(String[]::new)))
                .map((row, meta) -> new Observation(row.get("agent_uid", String.class), row.get("ip", String.class),
                        row.get("state", String.class), row.get("failures", Integer.class),
                        instant(row.get("state_since", OffsetDateTime.class)), Boolean.TRUE.equals(row.get("icmp_available", Boolean.class)),
                        row.get("icmp_rtt_us", Integer.class), SqlArrays.list(row.get("open_ports", Integer[].class)),
                        SqlArrays.list(row.get("closed_ports", Integer[].class)), SqlArrays.list(row.get("filtered_ports", Integer[].class)),
                        instant(row.get("observed_at", OffsetDateTime.class)), row.get("config_version", String.class)))
                .all().collectList();
    }

    /** The newest transitions of these IPs, as every agent saw them. */
    public Mono<List<Transition>> transitions(UUID tenant, Collection<String> ips) {
        if (ips.isEmpty()) {
            return Mono.just(List.of());
        }
        return database.sql("""
                        SELECT t.* FROM unnest(:ips::text[]) AS k(ip)
                          JOIN LATERAL (SELECT * FROM availability_transitions x WHERE x.tenant_id = :tenant AND x.ip = k.ip
                                         ORDER BY x.at DESC LIMIT :shown) t ON true
                         ORDER BY t.at DESC, t.id DESC LIMIT :shown""")
                .bind("tenant", tenant)
                .bind("ips", SqlArrays.literal(ips.toArray(String[]::new)))
                .bind("shown", TRANSITIONS_SHOWN)
                .map((row, meta) -> new Transition(row.get("agent_uid", String.class), row.get("ip", String.class),
                        row.get("from_state", String.class), row.get("to_state", String.class), instant(row.get("at", OffsetDateTime.class))))
                .all().collectList();
    }

    /** The availability of these devices (absent: unknown). */
    public Mono<Map<UUID, DeviceAvailability.Availability>> availability(UUID tenant, Collection<UUID> devices) {
        if (devices.isEmpty()) {
            return Mono.just(Map.of());
        }
        return database.sql("""
                        SELECT canonical_device_id, state FROM device_availability WHERE tenant_id = :tenant AND canonical_device_id = ANY(:devices)""")
                .bind("tenant", tenant)
                .bind("devices", devices.toArray(UUID[]::new))
                .map((row, meta) -> Map.entry(row.get("canonical_device_id", UUID.class),
                        DeviceAvailability.Availability.of(row.get("state", String.class))))
                .all().collectMap(Map.Entry::getKey, Map.Entry::getValue);
    }

    public Mono<Sweep> lastSweep(UUID tenant, String agent) {
        return database.sql("SELECT * FROM agent_sweeps WHERE tenant_id = :tenant AND agent_uid = :agent")
                .bind("tenant", tenant)
                .bind("agent", agent)
                .map((row, meta) -> new Sweep(instant(row.get("sweep_started_at", OffsetDateTime.class)),
                        instant(row.get("completed_at", OffsetDateTime.class)), row.get("config_version", String.class),
                        row.get("hosts", Integer.class), row.get("answered", Integer.class), row.get("silent", Integer.class)))
                .one();
    }
}
