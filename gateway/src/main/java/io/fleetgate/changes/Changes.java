package io.fleetgate.changes;

import reactor.core.publisher.Flux;

/** What a cache needs of the change feed: the changes, and whether they are arriving right now. */
public interface Changes {

    /** Every change from now on, from any replica (this one included). */
    Flux<Change> changes();

    /** Whether changes are being received right now; caches must not be trusted otherwise. */
    boolean isLive();
}
