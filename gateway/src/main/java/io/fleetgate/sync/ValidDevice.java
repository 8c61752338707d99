package io.fleetgate.sync;

import java.util.List;

/** A reported device that passed validation, normalised (IPs canonical, MACs lower-case colon form, ports sorted). */
public record ValidDevice(
        String deviceId,
        String sourceType,
        List<String> ips,
        List<String> macs,
        List<String> usableMacs,
        String hostname,
        String deviceType,
        String manufacturer,
        String model,
        List<Integer> ports,
        String rawJson,
        List<Integer> rawPorts,
        String agentUid) {
}
