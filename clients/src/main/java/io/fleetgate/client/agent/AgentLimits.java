package io.fleetgate.client.agent;

import io.fleetgate.sweepjson.SweepPlan;
import java.util.List;
import java.util.Optional;

/**
 * What this agent can sweep. A config beyond it is refused whole, with a reason the gateway
 * records (the agent's NACK), and never applied in part.
 */
record AgentLimits(int maxTargets) {

    /** The sweep modes the agent's probes implement. */
    static final List<String> MODES = List.of("icmp", "tcp", "tcp_connect");
    /** As many targets as the gateway hands out by default (FLEETGATE_SWEEP_MAX_TARGETS). */
    static final int DEFAULT_MAX_TARGETS = 50_000;

    AgentLimits {
        if (maxTargets < 1) {
            throw new IllegalArgumentException("--max-targets must be at least 1");
        }
    }

    /** Why this agent cannot apply the plan; empty when it can. */
    Optional<String> refusal(SweepPlan plan) {
        if (plan.targets().size() > maxTargets) {
            return Optional.of(plan.targets().size() + " targets, more than this agent's --max-targets " + maxTargets);
        }
        Optional<String> mode = plan.modes().stream().filter(m -> !MODES.contains(m)).findFirst();
        if (mode.isEmpty()) {
            mode = plan.targets().stream().flatMap(t -> t.modes().stream()).filter(m -> !MODES.contains(m)).findFirst();
        }
        return mode.map(m -> "unknown sweep mode '" + m + "' (this agent sweeps " + String.join(", ", MODES) + ")");
    }
}
