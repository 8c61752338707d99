package io.fleetgate.sweep;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import reactor.core.publisher.Mono;

/** Where an agent's sweep config is built from: read from the database by {@link SweepRepository}. */
interface SweepInputs {

    /** The devices of one agent and the sources they came from. */
    record Inputs(List<SweepInput.Device> devices, Map<UUID, SweepInput.Source> sources) {
    }

    Mono<Inputs> inputs(UUID tenant, String agent);
}
