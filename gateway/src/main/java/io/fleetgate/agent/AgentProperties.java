package io.fleetgate.agent;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * What agents are told (how often to heartbeat and to poll GetConfig, FLEETGATE_AGENT_*) and how
 * many distinct agents one tenant may register (FLEETGATE_MAX_AGENTS_PER_TENANT), and how often
 * the polls seen are written to the agents table (FLEETGATE_AGENT_POLL_FLUSH_INTERVAL) and the
 * fleet counted for the metrics (FLEETGATE_AGENT_METRICS_INTERVAL), and how many WatchConfig streams
 * one replica holds open, in all and per tenant (FLEETGATE_MAX_WATCHES, _PER_TENANT), and how old the
 * agents summary may be before it is counted again (FLEETGATE_AGENT_SUMMARY_MAX_AGE).
 */
@ConfigurationProperties("fleetgate.agent")
public record AgentProperties(
        Duration heartbeatInterval,
        Duration configPollInterval,
        int maxAgentsPerTenant,
        Duration pollFlushInterval,
        Duration metricsInterval,
        int maxWatches,
        int maxWatchesPerTenant,
        Duration summaryMaxAge) {
}
