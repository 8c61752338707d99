package io.fleetgate.client.agent;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** One sweep: what each address answered. {@code icmp} is null when not probed. */
public record SweepResult(Instant sweptAt, String configVersion, String origin, Duration took, List<TargetResult> targets) {

    public record TargetResult(String ip, Boolean icmp, List<Integer> openPorts, List<Integer> closedPorts, String source) {
    }

    public TargetResult target(String ip) {
        return targets.stream().filter(target -> target.ip().equals(ip)).findFirst().orElse(null);
    }
}
