package io.fleetgate.agent;

import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * How many agents are in each liveness and config status, and how far each desired version has
 * spread: of the agents that should run it, how many run it. A null desired version groups the
 * agents whose version is not known until they poll again. {@code countedAt}: the instant the
 * statuses were computed for.
 */
public record AgentSummary(Instant countedAt, long agents, Map<AgentStatus.Liveness, Long> byLiveness,
                           Map<AgentStatus.ConfigStatus, Long> byConfigStatus, List<Version> versions) {

    record Count(AgentStatus.Liveness liveness, AgentStatus.ConfigStatus configStatus, long agents) {
    }

    public record Version(@Nullable String desiredVersion, long agents, long inSync) {

        public double converged() {
            return agents == 0 ? 0 : (double) inSync / agents;
        }
    }

    static AgentSummary of(Instant countedAt, List<Count> counts, List<Version> versions) {
        Map<AgentStatus.Liveness, Long> byLiveness = new EnumMap<>(AgentStatus.Liveness.class);
        Map<AgentStatus.ConfigStatus, Long> byConfigStatus = new EnumMap<>(AgentStatus.ConfigStatus.class);
        for (AgentStatus.Liveness liveness : AgentStatus.Liveness.values()) {
            byLiveness.put(liveness, 0L);
        }
        for (AgentStatus.ConfigStatus status : AgentStatus.ConfigStatus.values()) {
            byConfigStatus.put(status, 0L);
        }
        long agents = 0;
        for (Count count : counts) {
            byLiveness.merge(count.liveness(), count.agents(), Long::sum);
            byConfigStatus.merge(count.configStatus(), count.agents(), Long::sum);
            agents += count.agents();
        }
        return new AgentSummary(countedAt, agents, byLiveness, byConfigStatus, versions);
    }

    /** The share of all agents that run what they should. */
    public double converged() {
        return agents == 0 ? 0 : (double) byConfigStatus.get(AgentStatus.ConfigStatus.IN_SYNC) / agents;
    }
}
