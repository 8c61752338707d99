package io.fleetgate.sweep;

import io.fleetgate.proto.SweepConfig;
import java.time.Instant;

/** An agent's current sweep config: immutable, versioned by its content. */
public record AgentConfig(String version, Instant builtAt, SweepConfig sweep, int targetsBeforeCut) {

    public boolean truncated() {
        return sweep.getTruncated();
    }
}
