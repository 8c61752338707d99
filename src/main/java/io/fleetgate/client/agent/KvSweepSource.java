package io.fleetgate.client.agent;

import reactor.core.publisher.Mono;

/** Where an agent in the legacy {@code kv} mode reads its sweep config instead of GetConfig. */
public interface KvSweepSource {

    Mono<SweepPlan> read(String agentId);
}
