package io.fleetgate.agent;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * What agents are told (how often to heartbeat and to poll GetConfig, FLEETGATE_AGENT_*) and how
 * many distinct agents one tenant may register (FLEETGATE_MAX_AGENTS_PER_TENANT).
 */
@ConfigurationProperties("fleetgate.agent")
public record AgentProperties(
        Duration heartbeatInterval,
        Duration configPollInterval,
        int maxAgentsPerTenant) {
}
