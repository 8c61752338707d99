package io.fleetgate.client.agent;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One sweep: when it started and ended, and what each address answered. {@code icmp} is null
 * when not probed, {@code icmpRttUs} when it did not answer; a port is open (it accepted), closed
 * (refused: the host is there) or filtered (no answer in time).
 */
public record SweepResult(Instant startedAt, Instant sweptAt, String configVersion, String origin, Duration took, List<TargetResult> targets) {

    public record TargetResult(String ip, Boolean icmp, Integer icmpRttUs, List<Integer> openPorts, List<Integer> closedPorts,
                               List<Integer> filteredPorts, Instant observedAt, String source) {
    }

    public TargetResult target(String ip) {
        return targets.stream().filter(target -> target.ip().equals(ip)).findFirst().orElse(null);
    }
}
