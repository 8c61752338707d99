package io.fleetgate.client.agent;

import io.fleetgate.sweepjson.SweepPlan;
import reactor.core.publisher.Mono;

/** Where an agent in the legacy {@code kv} mode reads its sweep config instead of GetConfig. */
public interface KvSweepSource {

    /** The agent's sweep config; {@code tenantId} is null until the gateway has said it (Hello). */
    Mono<SweepPlan> read(String tenantId, String agentId);
}
