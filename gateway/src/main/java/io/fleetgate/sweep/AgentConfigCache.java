package io.fleetgate.sweep;

import java.util.UUID;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/** What GetConfig and WatchConfig ask of the sweep capability: an agent's current config, once or as it changes. */
public interface AgentConfigCache {

    /** The agent's current config, for a caller waiting for it: built ahead of background work when it has to be. */
    Mono<AgentConfig> current(UUID tenant, String agentUid);

    /**
     * The agent's current config, for work nobody waits on (a watch's keep-alive, a publication):
     * built in its turn behind the callers' builds, and never moving a queued build ahead. During
     * a storm of rebuilds it comes when the agent's rebuild does.
     */
    Mono<AgentConfig> currentInTurn(UUID tenant, String agentUid);

    /**
     * The agent's current config if memory holds it (and the change feed that keeps memory current
     * is live); null when {@link #current} would have to build it.
     */
    @Nullable AgentConfig cached(UUID tenant, String agentUid);

    /**
     * Calls {@code listener} with every config built for the agent from now on (possibly one it had,
     * or the same twice: watchers compare versions) until the returned handle is closed; a change
     * that names a watched agent has its config rebuilt at once. A listener, not a stream: an open
     * watch costs a list entry here, which is what lets one gateway hold 100,000 of them.
     */
    Registration watch(UUID tenant, String agentUid, Consumer<AgentConfig> listener);

    /** Ends a watch; closing twice is harmless. */
    interface Registration extends AutoCloseable {
        @Override
        void close();
    }
}
