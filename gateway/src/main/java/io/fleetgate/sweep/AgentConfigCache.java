package io.fleetgate.sweep;

import java.util.UUID;
import reactor.core.publisher.Mono;

/** What GetConfig asks of the sweep capability: an agent's current config. */
public interface AgentConfigCache {

    Mono<AgentConfig> current(UUID tenant, String agentUid);
}
