package io.fleetgate.sweep;

import java.util.UUID;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** What GetConfig and WatchConfig ask of the sweep capability: an agent's current config, once or as it changes. */
public interface AgentConfigCache {

    Mono<AgentConfig> current(UUID tenant, String agentUid);

    /**
     * The agent's current config, then every config built for it after a change (possibly one it
     * had, or the same twice: watchers compare versions), for as long as it is subscribed. Only the
     * latest waits when the subscriber is slow.
     */
    Flux<AgentConfig> watch(UUID tenant, String agentUid);
}
