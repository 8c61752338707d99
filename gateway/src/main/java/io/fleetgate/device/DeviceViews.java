package io.fleetgate.device;

import io.fleetgate.availability.AvailabilityService;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/** What the devices API and pages show, as the API writes it (snake_case JSON). */
public final class DeviceViews {

    private DeviceViews() {
    }

    /** An integration source, as devices name it. */
    public record SourceRef(UUID id, String name, String sourceType) {
    }

    /**
     * A canonical device of the list: what its source records say together, and whether agents
     * see it up ({@code available}, {@code unavailable}, {@code unknown}). {@code matchedIp} is the
     * IP that matched in IP order, else null.
     */
    public record Item(UUID tenantId, UUID canonicalDeviceId, @Nullable String matchedIp, List<String> hostnames, List<String> ips,
                       List<String> macs, List<SourceRef> sources, List<String> agents, int records, String availability,
                       Instant lastSeenAt) {
    }

    public record Page(List<Item> items, @Nullable String next) {
    }

    /**
     * One source record: what one integration source reported, as stored. {@code agentUid} is the
     * agent it names itself, {@code sweptBy} the one that sweeps it (its own or its source's
     * default; null when none, or when the source is disabled).
     */
    public record SourceRecord(UUID discoveredDeviceId, SourceRef source, String deviceId, String partition, List<String> ips,
                               List<String> macs, @Nullable String hostname, @Nullable String deviceType,
                               @Nullable String manufacturer, @Nullable String model, List<Integer> ports, List<Integer> rawDataPorts,
                               @Nullable String agentUid, @Nullable String sweptBy, boolean sourceEnabled, Instant firstSeenAt,
                               Instant lastSeenAt, JsonNode rawData) {
    }

    /**
     * A MAC or IP the device's records report, and who holds it for identity: this device, another
     * ({@code heldBy}), or nobody (a MAC not usable for identity, or a key the merge guard refused).
     */
    public record Identifier(String partition, String kind, String value, @Nullable UUID heldBy, @Nullable Instant claimedAt) {
    }

    /**
     * A merge: {@code discoveredDeviceId} joined {@code canonicalDeviceId} through {@code key}
     * ({@code reason} mac or ip), or took the IP {@code key} from {@code previousCanonicalDeviceId}
     * (ip_moved); the batch of the source that made it, where known.
     */
    public record Merge(String reason, String key, UUID discoveredDeviceId, String deviceId, UUID canonicalDeviceId,
                        @Nullable UUID previousCanonicalDeviceId, @Nullable UUID integrationSourceId, @Nullable Long batchSeq,
                        Instant mergedAt) {
    }

    /** An operator split a source record out of a canonical device. */
    public record Unmerge(long id, UUID discoveredDeviceId, UUID integrationSourceId, String deviceId, UUID fromCanonicalDeviceId,
                          UUID toCanonicalDeviceId, String reason, String unmergedBy, Instant unmergedAt) {
    }

    /** A source record of this device that identity never joins with another one (by source and device id). */
    public record KeptApart(UUID integrationSourceId, String deviceId, UUID otherSourceId, String otherDeviceId,
                            @Nullable UUID otherCanonicalDeviceId, long unmergeId) {
    }

    /** The merge guard refused to join {@code devices} devices into {@code canonicalDeviceId} through this key. */
    public record GuardEvent(String kind, String key, UUID canonicalDeviceId, int devices, UUID integrationSourceId, long batchSeq,
                             Instant guardedAt) {
    }

    /** An IP of the device, the agent that sweeps it, and the ports it probes there (GetConfig's rules). */
    public record Sweep(String ip, String agentUid, List<Integer> ports) {
    }

    /**
     * One device: what the list shows, its records and identity history, who sweeps which IP, and
     * what each agent last saw of each IP it holds ({@code observations}, every agent's view its
     * own) with the newest state transitions.
     */
    public record Detail(UUID tenantId, UUID canonicalDeviceId, List<String> hostnames, List<String> ips, List<String> macs,
                         Instant lastSeenAt, String availability, List<SourceRecord> records, List<Identifier> identifiers,
                         List<Sweep> sweeps, List<AvailabilityService.Observation> observations,
                         List<AvailabilityService.Transition> transitions, List<Merge> merges, List<Unmerge> unmerges,
                         List<KeptApart> keptApart, List<GuardEvent> guardEvents) {
    }

    /** A source's share of the tenant's devices. */
    public record SourceCount(SourceRef source, long records) {
    }

    /** Source records an agent sweeps (its own, and its sources' that name no agent). */
    public record AgentCount(String agentUid, long records) {
    }

    /**
     * The tenant's devices at {@code countedAt}: canonical devices and source records, how many of
     * them are merged (devices of more than one record, and their records), records per source and
     * per agent (the largest first), devices no agent sweeps, and devices by availability.
     */
    public record Summary(UUID tenantId, long devices, long records, long mergedDevices, long mergedRecords, long unassigned,
                          Map<String, Long> byAvailability, List<SourceCount> bySource, List<AgentCount> byAgent, Instant countedAt) {
    }

    /** What an unmerge did. */
    public record Split(UUID tenantId, UUID discoveredDeviceId, UUID fromCanonicalDeviceId, UUID canonicalDeviceId, long unmergeId) {
    }
}
