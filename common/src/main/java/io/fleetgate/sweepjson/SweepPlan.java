package io.fleetgate.sweepjson;

import io.fleetgate.net.Cidr;
import io.fleetgate.proto.DeviceTarget;
import io.fleetgate.proto.SweepConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What the agent sweeps, wherever it came from (GetConfig, a local sweep.json, the legacy KV
 * store): targets with their ports and modes, networks swept with the default ports and modes,
 * and how often, how many at once, how long to wait.
 */
public record SweepPlan(String version, String origin, List<Cidr> networks, List<Target> targets, List<String> modes,
                        List<Integer> ports, Duration interval, int concurrency, Duration timeout) {

    /** One address to probe; empty modes means the plan's. */
    public record Target(String ip, List<Integer> ports, List<String> modes, String source, Map<String, String> metadata) {
    }

    public static SweepPlan fromGetConfig(String version, SweepConfig sweep) {
        List<Target> targets = sweep.getDeviceTargetsList().stream()
                .map(SweepPlan::target)
                .toList();
        return new SweepPlan(version, "getconfig", sweep.getNetworksList().stream().map(Cidr::parse).toList(), targets,
                sweep.getSweepModesList(), sweep.getPortsList(), Duration.ofSeconds(Math.max(1, sweep.getSweepIntervalSec())),
                Math.max(1, sweep.getConcurrency()), Duration.ofMillis(Math.max(1, sweep.getTimeoutMs())));
    }

    private static Target target(DeviceTarget target) {
        return new Target(target.getIp(), target.getPortsList(), target.getSweepModesList(), target.getSource(), target.getMetadataMap());
    }

    /** The modes a target is probed with. */
    public List<String> modesOf(Target target) {
        return target.modes().isEmpty() ? modes : target.modes();
    }
}
