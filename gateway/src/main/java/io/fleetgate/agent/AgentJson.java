package io.fleetgate.agent;

import io.fleetgate.availability.AvailabilityService;
import io.fleetgate.proto.DeviceTarget;
import io.fleetgate.proto.SweepConfig;
import io.fleetgate.sweep.AgentConfig;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** The agents API's JSON (SPEC 13.4): statuses by their lower-case wire names, the desired sweep config as plain fields. */
final class AgentJson {

    private AgentJson() {
    }

    record Item(UUID tenantId, String agentUid, @Nullable String hostname, @Nullable String version, @Nullable Instant lastPollAt,
                String liveness, String configStatus, @Nullable String desiredConfigVersion, @Nullable String appliedConfigVersion,
                @Nullable String rejectedConfigVersion, @Nullable String rejectReason, @Nullable Integer targets) {

        static Item of(AgentView agent) {
            return new Item(agent.tenantId(), agent.agentUid(), agent.hostname(), agent.version(), agent.lastPollAt(),
                    agent.liveness().wireName(), agent.configStatus().wireName(), agent.desiredVersion(), agent.appliedVersion(),
                    agent.rejectedVersion(), agent.rejectReason(), agent.targets());
        }
    }

    record Page(List<Item> items, @Nullable String next) {

        static Page of(AgentService.Page page) {
            return new Page(page.items().stream().map(Item::of).toList(), page.nextCursor());
        }
    }

    /** One agent: the list's fields, the config the gateway would hand it now, and its latest sweep (null: none reported). */
    record Detail(UUID tenantId, String agentUid, @Nullable String hostname, @Nullable String version, @Nullable Instant lastPollAt,
                  String liveness, String configStatus, @Nullable String desiredConfigVersion, @Nullable String appliedConfigVersion,
                  @Nullable String rejectedConfigVersion, @Nullable String rejectReason, @Nullable Integer targets,
                  DesiredConfig desiredConfig, AvailabilityService.@Nullable Sweep lastSweep) {

        static Detail of(AgentService.Detail detail) {
            Item item = Item.of(detail.agent());
            return new Detail(item.tenantId(), item.agentUid(), item.hostname(), item.version(), item.lastPollAt(), item.liveness(),
                    item.configStatus(), item.desiredConfigVersion(), item.appliedConfigVersion(), item.rejectedConfigVersion(),
                    item.rejectReason(), item.targets(), DesiredConfig.of(detail.desired()), detail.lastSweep());
        }
    }

    record DesiredConfig(String version, Instant builtAt, boolean truncated, int targetsBeforeCut, List<String> networks,
                         List<Integer> ports, List<String> sweepModes, int sweepIntervalSec, int concurrency, int timeoutMs,
                         List<Target> deviceTargets) {

        static DesiredConfig of(AgentConfig config) {
            SweepConfig sweep = config.sweep();
            return new DesiredConfig(config.version(), config.builtAt(), config.truncated(), config.targetsBeforeCut(),
                    sweep.getNetworksList(), sweep.getPortsList(), sweep.getSweepModesList(), sweep.getSweepIntervalSec(),
                    sweep.getConcurrency(), sweep.getTimeoutMs(), sweep.getDeviceTargetsList().stream().map(Target::of).toList());
        }
    }

    record Target(String ip, List<Integer> ports, String hostname, List<String> sweepModes, String source, String deviceId,
                  Map<String, String> metadata) {

        static Target of(DeviceTarget target) {
            return new Target(target.getIp(), target.getPortsList(), target.getHostname(), target.getSweepModesList(),
                    target.getSource(), target.getDeviceId(), new LinkedHashMap<>(target.getMetadataMap()));
        }
    }

    record Summary(@Nullable UUID tenantId, long agents, Map<String, Long> byLiveness, Map<String, Long> byConfigStatus,
                   double converged, List<Version> versions, Instant countedAt) {

        static Summary of(@Nullable UUID tenant, AgentSummary summary) {
            Map<String, Long> liveness = new LinkedHashMap<>();
            summary.byLiveness().forEach((key, count) -> liveness.put(key.wireName(), count));
            Map<String, Long> status = new LinkedHashMap<>();
            summary.byConfigStatus().forEach((key, count) -> status.put(key.wireName(), count));
            return new Summary(tenant, summary.agents(), liveness, status, summary.converged(),
                    summary.versions().stream().map(Version::of).toList(), summary.countedAt());
        }
    }

    record Version(@Nullable String desiredConfigVersion, long agents, long inSync, double converged) {

        static Version of(AgentSummary.Version version) {
            return new Version(version.desiredVersion(), version.agents(), version.inSync(), version.converged());
        }
    }
}
