package io.fleetgate.client.sync.discovery;

import reactor.core.publisher.Mono;

/** One inventory source: discovers its devices, run after run. */
public interface Discovery {

    /** Run number {@code run} (0, 1, 2, … per process) of this source's discovery. */
    Mono<Inventory> discover(int run);
}
